"""`manage.py import_lss` refuses every hostile or broken file the same way: exit code 2, one
clear message, no traceback, nothing created — for entities, size, malformed XML, archives
that are no archives or bombs, and survey files whose parts do not fit together."""

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from manyi.surveys.models import Questionnaire

from .test_hostile_files import HEAD, LAUGHS, XXE

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[4]


def _survey(body):
    return (
        HEAD
        + b"<document><LimeSurveyDocType>Survey</LimeSurveyDocType><DBVersion>640</DBVersion>"
        + body
        + b"</document>"
    )


def _rows(section, fields, *rows):
    head = b"".join(b"<fieldname>" + f.encode() + b"</fieldname>" for f in fields)
    body = b"".join(
        b"<row>"
        + b"".join(
            b"<" + f.encode() + b">" + v.encode() + b"</" + f.encode() + b">"
            for f, v in zip(fields, row, strict=True)
        )
        + b"</row>"
        for row in rows
    )
    return (
        b"<"
        + section.encode()
        + b"><fields>"
        + head
        + b"</fields><rows>"
        + body
        + b"</rows></"
        + section.encode()
        + b">"
    )


SURVEY = _rows("surveys", ["sid", "language"], ["1", "en"])
QUESTION = ["qid", "parent_qid", "sid", "gid", "type", "title", "question_order"]
CASES = {
    "external entity": XXE,
    "entity expansion": LAUGHS,
    "malformed": HEAD + b"<document><LimeSurveyDocType>Survey</Lime",
    "not xml": b"\x89PNG\r\n\x1a\n" + os.urandom(200),
    "empty": b"",
    "foreign document": HEAD + b"<html><body>hello</body></html>",
    "no survey row": _survey(b""),
    "question of no group": _survey(
        SURVEY + _rows("questions", QUESTION, ["5", "0", "1", "99", "L", "Q1", "1"])
    ),
    "subquestion of no question": _survey(
        SURVEY + _rows("subquestions", QUESTION, ["6", "77", "1", "1", "T", "SQ1", "1"])
    ),
    "ids that are no numbers": _survey(
        SURVEY
        + _rows("groups", ["gid", "sid", "group_order"], ["x", "1", "y"])
        + _rows("questions", QUESTION, ["a", "b", "1", "x", "L", "Q1", "z"])
        + _rows(
            "answers",
            ["aid", "qid", "code", "sortorder", "assessment_value", "scale_id"],
            ["q", "a", "A1", "s", "v", "w"],
        )
    ),
    "a type of many letters": _survey(
        SURVEY
        + _rows("groups", ["gid", "sid", "group_order"], ["1", "1", "1"])
        + _rows("questions", QUESTION, ["5", "0", "1", "1", "LLLL", "Q1", "1"])
    ),
}


def _archive(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


REFUSED = [
    "external entity",
    "entity expansion",
    "malformed",
    "not xml",
    "empty",
    "foreign document",
    "no survey row",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CASES))
def test_a_broken_survey_file_exits_with_code_2_or_imports_what_fits_never_crashing(tmp_path, name):
    """Refused: what cannot be read or holds no survey. Parts that do not fit together (a
    question of a group the file lacks, ids that are no numbers) are taken as far as they go,
    as LimeSurvey's own import does, and never crash."""
    path = tmp_path / "survey.lss"
    path.write_bytes(CASES[name])
    started = time.monotonic()
    if name in REFUSED:
        with pytest.raises(CommandError) as failure:
            call_command("import_lss", str(path), "--json")
        assert failure.value.returncode == 2 and str(failure.value).strip()
        assert not Questionnaire.objects.exists()
    else:
        call_command("import_lss", str(path), "--json")
        assert Questionnaire.objects.count() == 1
    assert time.monotonic() - started < 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "members",
    [
        {"survey_1.lss": XXE},
        {"survey_1.lss": (DATA / "satisfaction_ls6.lss").read_bytes(), "survey_1_tokens.lst": LAUGHS},
        {
            "survey_1.lss": (DATA / "satisfaction_ls6.lss").read_bytes(),
            "survey_1_responses.lsr": b"<document><rows",
        },
    ],
    ids=["entity survey", "entity participants", "cut-off responses"],
)
def test_a_hostile_archive_exits_with_code_2_and_creates_nothing(tmp_path, members):
    path = tmp_path / "survey.lsa"
    _archive(path, members)
    with pytest.raises(CommandError) as failure:
        call_command("import_lss", str(path))
    assert failure.value.returncode == 2 and str(failure.value).strip()
    assert not Questionnaire.objects.exists()


def test_an_lsa_that_is_no_zip_exits_with_code_2(tmp_path):
    path = tmp_path / "survey.lsa"
    path.write_bytes(b"PK\x03\x04" + os.urandom(500))
    with pytest.raises(CommandError) as failure:
        call_command("import_lss", str(path), "--dry-run")
    assert failure.value.returncode == 2


@pytest.mark.database
def test_the_real_command_prints_a_message_and_no_traceback(tmp_path):
    path = tmp_path / "laughs.lss"
    path.write_bytes(LAUGHS)
    done = subprocess.run(
        [sys.executable, "manage.py", "import_lss", str(path), "--dry-run", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LANGUAGE": "en"},
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() and "Traceback" not in done.stderr + done.stdout
