"""Reading LimeSurvey files safely: a survey structure (.lss), a survey archive (.lsa), and the
responses (.lsr) and participants (.lst) an archive holds.

Every limit is checked before anything is parsed: the file's size, then for an archive (a ZIP
file) the number of members, their names (no folders, no ``..``, no absolute paths), each
member's unpacked size and compression ratio and the total, from the archive's directory;
members are then read a megabyte at a time and never more than their limit. XML is parsed with
defusedxml with DTDs forbidden: no document type declaration, so no external entity (XXE) and
no entity expansion (billion laughs) is ever looked at. A refused or unreadable file raises
:class:`LimeSurveyFileError` with a translated message for the user.
"""

import io
import re
import zipfile
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from manyi import uploads

# A LimeSurvey survey file of 300 questions in three languages is about 3 MB.
MAX_LSS_BYTES = 20 * 1024 * 1024
# An archive's members: survey, responses, participants, timings (and nothing else is read).
MAX_MEMBERS = 20
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
CHUNK = 1024 * 1024
# survey_123456.lss, survey_123456_responses.lsr, survey_123456_tokens.lst, survey_123456_timings.lsi
_MEMBER = re.compile(r"^[\w-][\w.-]{0,150}\.(lss|lsr|lst|lsi)$", re.I)
_ZIP_MAGIC = b"PK\x03\x04"


class LimeSurveyFileError(ValueError):
    """A file that is not read (too large, not LimeSurvey, damaged); the message is for the user."""


def max_archive_bytes():
    return uploads.max_bytes()


def max_unpacked_bytes():
    return uploads.max_unpacked_bytes()


def _too_large(size, limit):
    return LimeSurveyFileError(
        _("The file is too large (%(size)s); the limit is %(limit)s.")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


def not_limesurvey():
    return LimeSurveyFileError(
        _("This is not a LimeSurvey survey file (.lss) or survey archive (.lsa) that can be read.")
    )


def check_size(name, size):
    """Refuse an upload by its name and size before it is stored or read."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in (".lss", ".lsa"):
        raise LimeSurveyFileError(_("Choose a LimeSurvey survey file (.lss) or survey archive (.lsa)."))
    limit = MAX_LSS_BYTES if suffix == ".lss" else max_archive_bytes()
    if size is not None and size > limit:
        raise _too_large(size, limit)


# ------------------------------------------------------------------------------- XML


def parse_document(data, doc_types=("Survey",)):
    """The root <document> element of LimeSurvey XML bytes, refused when hostile or not LimeSurvey."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise LimeSurveyFileError(
            _(
                "The file declares a document type or entities, which LimeSurvey files never do; it was not read."
            )
        ) from None
    except (SafeET.ParseError, ValueError, UnicodeError):
        raise LimeSurveyFileError(
            _("The file is damaged: it is not well-formed XML. Export it from LimeSurvey again.")
        ) from None
    doc_type = (root.findtext("LimeSurveyDocType") or "").strip()
    if root.tag != "document" or doc_type not in doc_types:
        raise not_limesurvey()
    return root


def table(root, name):
    """The rows of a section (<answers><rows><row>…) as dicts of field -> text ("" when empty)."""
    section = root.find(name)
    if section is None:
        return []
    rows = section.find("rows")
    if rows is None:
        return []
    return [{field.tag: (field.text or "") for field in row} for row in rows.findall("row")]


def db_version(root):
    try:
        return int((root.findtext("DBVersion") or "0").strip())
    except ValueError:
        return 0


def read_lss_bytes(data):
    """The survey document of .lss bytes."""
    if len(data) > MAX_LSS_BYTES:
        raise _too_large(len(data), MAX_LSS_BYTES)
    return parse_document(data)


def read_path(path):
    """A LimeSurveyArchive for a .lss or .lsa file on disk, limits checked before reading."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            start = handle.read(4)
    except OSError:  # missing, a folder, not readable
        raise LimeSurveyFileError(_("The file could not be opened.")) from None
    if start == _ZIP_MAGIC:
        if size > max_archive_bytes():
            raise _too_large(size, max_archive_bytes())
        return read_archive(path)
    if size > MAX_LSS_BYTES:
        raise _too_large(size, MAX_LSS_BYTES)
    if not start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and size:
        raise not_limesurvey()
    return LimeSurveyArchive(survey=read_lss_bytes(path.read_bytes()))


# ------------------------------------------------------------------------------- archives


class LimeSurveyArchive:
    """What a .lss or .lsa gives: the survey document, and for an archive the raw responses and
    participants documents (parsed when asked for) and the names of members not read."""

    def __init__(self, survey, responses=None, tokens=None, skipped=()):
        self.survey = survey
        self._responses = responses
        self._tokens = tokens
        self.skipped = list(skipped)

    @property
    def is_archive(self):
        return self._responses is not None or self._tokens is not None or bool(self.skipped)

    def response_rows(self):
        return stream_rows(self._responses, "Responses") if self._responses else []

    def token_rows(self):
        return stream_rows(self._tokens, "Tokens") if self._tokens else []


def stream_rows(data, doc_type):
    """The rows of a responses (.lsr) or participants (.lst) document, read as a stream: each
    row is taken and its element cleared, so a large file never becomes a large tree."""
    rows, found_type = [], None
    try:
        for _event, element in SafeET.iterparse(io.BytesIO(data), events=("end",), forbid_dtd=True):
            if element.tag == "LimeSurveyDocType":
                found_type = (element.text or "").strip()
            elif element.tag == "row":
                rows.append({field.tag: (field.text or "") for field in element})
                element.clear()
    except DefusedXmlException:
        raise LimeSurveyFileError(
            _(
                "The file declares a document type or entities, which LimeSurvey files never do; it was not read."
            )
        ) from None
    except (SafeET.ParseError, ValueError, UnicodeError):
        raise LimeSurveyFileError(
            _("The file is damaged: it is not well-formed XML. Export it from LimeSurvey again.")
        ) from None
    if found_type != doc_type:
        raise not_limesurvey()
    return rows


def _check_members(infos):
    if len(infos) > MAX_MEMBERS:
        raise LimeSurveyFileError(
            _("The archive holds %(count)s files; a LimeSurvey archive holds at most four.")
            % {"count": len(infos)}
        )
    limit = max_unpacked_bytes()
    total = 0
    for info in infos:
        name = info.filename
        if (
            info.is_dir()
            or "/" in name
            or "\\" in name
            or ".." in name
            or ":" in name
            or not _MEMBER.match(name)
        ):
            raise LimeSurveyFileError(
                _("The archive holds “%(name)s”, which is no part of a LimeSurvey archive; it was not read.")
                % {"name": name[:100]}
            )
        total += info.file_size
        member_limit = MAX_LSS_BYTES if name.lower().endswith(".lss") else limit
        if info.file_size > member_limit or total > limit:
            raise LimeSurveyFileError(
                _("The archive unpacks to more than %(limit)s, more than an import reads.")
                % {"limit": filesizeformat(min(member_limit, limit))}
            )
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise LimeSurveyFileError(
                _(
                    "The archive holds a file compressed %(ratio)s to 1, far more than any survey; it was not read."
                )
                % {"ratio": f"{info.file_size // max(info.compress_size, 1):,}"}
            )


def _read_member(archive, info):
    """The member's bytes, never more than its directory entry says (checked above)."""
    out = io.BytesIO()
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            out.write(chunk)
            if out.tell() > info.file_size:
                raise not_limesurvey()
    return out.getvalue()


def read_archive(path):
    """A LimeSurveyArchive from a .lsa file (a ZIP archive), every limit checked first."""
    end = uploads._end_of_directory(Path(path))
    if end is None or end[0] > MAX_MEMBERS:
        raise (not_limesurvey() if end is None else _check_members_count(end[0]))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_members(infos)
            found = {"lss": None, "lsr": None, "lst": None}
            skipped = []
            for info in infos:
                suffix = info.filename.rsplit(".", 1)[-1].lower()
                if suffix in found and found[suffix] is None:
                    found[suffix] = _read_member(archive, info)
                else:
                    skipped.append(info.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise LimeSurveyFileError(_("The archive is damaged. Export it from LimeSurvey again.")) from None
    if found["lss"] is None:
        raise LimeSurveyFileError(_("The archive holds no survey structure (.lss file)."))
    return LimeSurveyArchive(
        survey=read_lss_bytes(found["lss"]),
        responses=found["lsr"] or b"",
        tokens=found["lst"] or b"",
        skipped=skipped,
    )


def _check_members_count(count):
    return LimeSurveyFileError(
        _("The archive holds %(count)s files; a LimeSurvey archive holds at most four.") % {"count": count}
    )
