"""Hostile and broken files are refused quickly, with a message, and create nothing."""

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from manyi.surveys.limesurvey import reader
from manyi.surveys.models import Questionnaire

DATA = Path(__file__).parent / "data"
HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'
XXE = HEAD + (
    b'<!DOCTYPE document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType><DBVersion>640</DBVersion>"
    b"<surveys_languagesettings><rows><row><surveyls_title>&xxe;</surveyls_title></row></rows>"
    b"</surveys_languagesettings></document>"
)
LAUGHS = HEAD + (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
        for n in range(1, 10)
    )
    + b"]><document><LimeSurveyDocType>Survey</LimeSurveyDocType><x>&lol9;</x></document>"
)


def refused_quickly(path):
    started = time.monotonic()
    with translation.override("en"), pytest.raises(reader.LimeSurveyFileError) as refusal:
        reader.read_path(path)
    assert time.monotonic() - started < 2
    assert str(refusal.value)
    return str(refusal.value)


def test_an_external_entity_is_never_looked_at(tmp_path):
    path = tmp_path / "xxe.lss"
    path.write_bytes(XXE)
    assert "document type" in refused_quickly(path)


def test_entity_expansion_is_refused_before_it_expands(tmp_path):
    path = tmp_path / "laughs.lss"
    path.write_bytes(LAUGHS)
    assert "document type" in refused_quickly(path)


def test_a_file_of_50_mb_is_refused_by_its_size(tmp_path):
    path = tmp_path / "huge.lss"
    with path.open("wb") as handle:
        handle.write(HEAD + b"<document>")
        handle.truncate(50 * 1024 * 1024)
    assert "too large" in refused_quickly(path)


@pytest.mark.parametrize(
    "content",
    [
        HEAD + b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType><questions>",
        b"\x00\x01binary",
        HEAD + b"<html><body>not a survey</body></html>",
        HEAD + b"<document><LimeSurveyDocType>Label set</LimeSurveyDocType></document>",
    ],
    ids=["cut-off XML", "not XML", "other XML", "another LimeSurvey document"],
)
def test_malformed_or_foreign_files_are_refused(tmp_path, content):
    path = tmp_path / "bad.lss"
    path.write_bytes(content)
    refused_quickly(path)


def test_a_zip_bomb_archive_is_refused_from_its_directory(tmp_path):
    path = tmp_path / "bomb.lsa"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("survey_1.lss", (DATA / "satisfaction_ls6.lss").read_bytes())
        with archive.open("survey_1_responses.lsr", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(300):
                member.write(block)
    assert path.stat().st_size < 2 * 1024 * 1024
    refused_quickly(path)


@pytest.mark.parametrize("name", ["../survey_1.lss", "/tmp/survey_1.lss", "sub/survey_1.lss", "survey_1.php"])
def test_an_archive_member_with_a_path_or_a_foreign_name_is_refused(tmp_path, name):
    path = tmp_path / "trick.lsa"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, (DATA / "satisfaction_ls6.lss").read_bytes())
    assert "no part of a LimeSurvey archive" in refused_quickly(path)


def test_an_archive_of_too_many_members_is_refused(tmp_path):
    path = tmp_path / "many.lsa"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(reader.MAX_MEMBERS + 1):
            archive.writestr(f"survey_{n}.lsi", b"<document/>")
    refused_quickly(path)


def test_an_archive_without_a_survey_is_refused(tmp_path):
    path = tmp_path / "empty.lsa"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("survey_1_tokens.lst", b"<document/>")
    assert ".lss" in refused_quickly(path)


@pytest.mark.django_db
def test_the_command_exits_with_code_2_and_a_message_and_creates_nothing(tmp_path):
    path = tmp_path / "xxe.lss"
    path.write_bytes(XXE)
    with pytest.raises(CommandError) as failure:
        call_command("import_lss", str(path), "--json")
    assert failure.value.returncode == 2 and str(failure.value)
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize(
    "responses",
    [
        LAUGHS.replace(b"<document>", b"<document><LimeSurveyDocType>Responses</LimeSurveyDocType>"),
        HEAD + b"<document><LimeSurveyDocType>Responses</LimeSurveyDocType><responses><rows><row>",
        HEAD + b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType></document>",
    ],
    ids=["entities", "cut off", "not responses"],
)
def test_an_archives_hostile_or_broken_responses_are_refused(tmp_path, responses):
    path = tmp_path / "responses.lsa"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("survey_1.lss", (DATA / "satisfaction_ls6.lss").read_bytes())
        archive.writestr("survey_1_responses.lsr", responses)
    started = time.monotonic()
    with translation.override("en"), pytest.raises(reader.LimeSurveyFileError):
        reader.read_path(path).response_rows()
    assert time.monotonic() - started < 2


@pytest.mark.django_db
def test_repeated_answer_codes_get_new_codes_and_are_reported(tmp_path):
    data = (DATA / "satisfaction_ls6.lss").read_bytes()
    # Every answer of Q1 coded A1, as a hand-edited file might have it.
    for code in (b"A2", b"A3", b"A4", b"A5"):
        data = data.replace(b"<code><![CDATA[" + code + b"]]></code>", b"<code><![CDATA[A1]]></code>")
    path = tmp_path / "duplicates.lss"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_lss", str(path), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["unsupported"]["duplicate_codes"]["count"] == 8  # four in Q1, four in Q3
    question = Questionnaire.objects.get().questions.get(code="Q1")
    assert sorted(question.options.values_list("code", flat=True)) == ["A1", "A2", "A3", "A4", "A5"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["missing.lss", "."])
def test_a_missing_file_or_a_folder_exits_with_code_2(tmp_path, name):
    with pytest.raises(CommandError) as failure:
        call_command("import_lss", str(tmp_path / name))
    assert failure.value.returncode == 2
