"""Limits on the spreadsheets people upload for import (CSV, XLSX), checked before any of it is read.

Every import (customers, purchases, paper answers, any added later) calls
:func:`check_table_file` on the stored file before opening it, and the upload views call
:func:`check_upload_size` before storing it. A refused file raises :class:`FileRefused` with a
message for the user; nothing has been read into memory then.

An .xlsx is a ZIP archive: a 2 MB file can unpack to gigabytes, and the reader (calamine)
builds each sheet as a dense grid of its last row by its last column, so two cells at A1 and
XFD1048576 ask for 17 billion cells. So, from the archive's directory alone: the number of
parts, each part's unpacked size and compression ratio, archives inside the archive, and
the total unpacked size; then every part is decompressed as a stream (a megabyte at a time,
never kept) to count a sheet's rows and find its last row and column, stopping as soon as a
limit is passed (the reader takes a sheet from whatever part the workbook names). A CSV file is counted row by row from the disk the same way.

Settings: ``IMPORT_MAX_BYTES`` (the file), ``IMPORT_MAX_UNPACKED_BYTES`` (an .xlsx unpacked),
``IMPORT_MAX_ROWS`` (data rows of a sheet or CSV file).
"""

import codecs
import contextlib
import csv
import io
import re
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Defaults when a setting is missing (manyi/settings.py sets all three from the environment).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000

# An .xlsx has a dozen parts, a few dozen with many sheets and pictures.
MAX_MEMBERS = 1_000
# Spreadsheet XML deflates 5 to 20 times (100,000 customers: 97 MB in 11 MB); a large part
# compressed more than this is made to blow up, not to be read.
MAX_RATIO = 100
RATIO_FROM_BYTES = 10 * 1024 * 1024
# The reader holds a sheet as a grid of last row x last column cells (about 32 bytes each).
MAX_COLUMNS = 1_000
MAX_CELLS = 10_000_000
NESTED_ARCHIVES = (".zip", ".xlsx", ".xlsm", ".xlsb", ".docx", ".pptx", ".jar", ".gz", ".7z", ".rar", ".tar")

CHUNK = 1024 * 1024

_ROW = re.compile(rb"<row[\s>/]")
# Every writer we know puts a cell's position first (<c r="B7" ...>): the two quick patterns
# read those. A chunk with any other cell (no position, or not first) is read with the
# general patterns: cells without a position follow the one before, rows likewise.
_COLUMN_FIRST = re.compile(rb'<c r="([A-Z]+)[1-9]')
_ROW_FIRST = re.compile(rb'<c r="[A-Z]+([1-9]\d*)"')
_OTHER_CELL = re.compile(rb'<c(?:>|/>|\s(?!r="[A-Z]+[1-9]))')
_CELL = re.compile(rb"<c[\s>/]")
_CELL_REF = re.compile(rb'<c\s[^>]*?\br="([A-Za-z]+)(\d+)"')
_ROW_NUMBER = re.compile(rb'<row\s[^>]*?\br="(\d+)"')


class FileRefused(ValueError):
    """An upload that is not read at all; the message is for the user."""


def max_bytes():
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_unpacked_bytes():
    return int(getattr(settings, "IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES))


def max_rows():
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def too_large_message(size):
    return _("The file is too large (%(size)s); the limit is %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(max_bytes()),
    }


def _too_large(size):
    return FileRefused(too_large_message(size))


def _too_many_rows():
    return FileRefused(
        _("The file has more than %(limit)s rows; split it into files of at most %(limit)s rows each.")
        % {"limit": f"{max_rows():,}"}
    )


def _unreadable_xlsx():
    return FileRefused(
        _("The Excel file could not be read. Open it in Excel or WPS and save it again as .xlsx.")
    )


def check_upload_size(upload):
    """Refuse an uploaded file (Django ``UploadedFile``) over IMPORT_MAX_BYTES, before it is stored."""
    if upload.size is not None and upload.size > max_bytes():
        raise _too_large(upload.size)


def check_table_file(path):
    """Refuse a stored .csv or .xlsx file that is over a limit; other names are left to the caller."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes():
        raise _too_large(size)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _check_xlsx(path)
    elif suffix == ".csv":
        _check_csv(path)


@contextlib.contextmanager
def local_copy(storage, name):
    """A path on this machine's disk to the stored file ``name``, for readers that take a path
    (the spreadsheet reader, the CSV counter): the file itself on the local disk, else a
    temporary copy from the bucket, removed afterwards. A file over IMPORT_MAX_BYTES is refused
    (FileRefused) before a byte is copied, and the copy stops at the limit whatever the size said."""
    try:
        own = storage.path(name)
    except NotImplementedError:
        own = None
    if own is not None:
        yield Path(own)
        return
    size = storage.size(name)
    if size > max_bytes():
        raise _too_large(size)
    with tempfile.TemporaryDirectory(prefix="manyi-") as folder:
        path = Path(folder) / Path(name).name
        copied = 0
        with storage.open(name, "rb") as source, path.open("wb") as out:
            while chunk := source.read(CHUNK):
                copied += len(chunk)
                if copied > max_bytes():
                    raise _too_large(copied)
                out.write(chunk)
        yield path


# --------------------------------------------------------------------------- XLSX


MARK = b"PK\x05\x06"  # the end record of a ZIP archive


def _end_of_directory(path):
    """(parts, directory size) from the ZIP's end record, read before zipfile lists the parts:
    a directory of millions of parts would take gigabytes as ZipInfo objects. None if absent."""
    with path.open("rb") as handle:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))  # the end record (22 bytes) and a comment of up to 64 KB
        tail = handle.read()
    # The record is one whose comment length reaches the end of the file exactly. A comment
    # holding a record of its own makes two readers see two archives (ours one part, the
    # sheet reader another): such a file is not read at all.
    found = [
        at
        for at in _positions(tail, MARK)
        if at + 22 + int.from_bytes(tail[at + 20 : at + 22], "little") == len(tail)
    ]
    if len(found) != 1:
        return None
    at = found[0]
    return int.from_bytes(tail[at + 10 : at + 12], "little"), int.from_bytes(
        tail[at + 12 : at + 16], "little"
    )


def _positions(data, mark):
    at = data.find(mark)
    while at >= 0:
        yield at
        at = data.find(mark, at + 1)


def _check_xlsx(path):
    end = _end_of_directory(path)
    if end is None:
        raise _unreadable_xlsx()
    members, directory_bytes = end
    # 0xFFFF parts or a 4 GB directory (ZIP64 markers) are far beyond any spreadsheet too.
    if members > MAX_MEMBERS or directory_bytes > MAX_MEMBERS * 1024:
        raise _too_many_parts()
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _check_members(infos)
            # Every part: the reader follows the workbook's relationships to a sheet of any
            # name (xl/other/data.png is read as a sheet when the workbook points there).
            for info in infos:
                if not info.is_dir():
                    with archive.open(info) as stream:
                        _scan_sheet(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        # Damaged, encrypted, an unknown compression, or a part that unpacks to other
        # bytes (or more) than its directory entry says: the CRC check fails.
        raise _unreadable_xlsx() from None


def _too_many_parts():
    return FileRefused(
        _("The Excel file holds more than %(limit)s parts, far more than a spreadsheet; it was not read.")
        % {"limit": f"{MAX_MEMBERS:,}"}
    )


def _check_members(infos):
    if len(infos) > MAX_MEMBERS:
        raise _too_many_parts()
    limit = max_unpacked_bytes()
    total = 0
    for info in infos:
        if info.filename.lower().endswith(NESTED_ARCHIVES):
            raise FileRefused(_("The Excel file holds another archive inside it; it was not read."))
        total += info.file_size
        if info.file_size > limit or total > limit:
            raise FileRefused(
                _(
                    "The Excel file unpacks to more than %(limit)s, more than an import reads. "
                    "Split it into smaller files."
                )
                % {"limit": filesizeformat(limit)}
            )
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise FileRefused(
                _(
                    "The Excel file holds a part compressed %(ratio)s to 1, far more than any "
                    "spreadsheet; it was not read."
                )
                % {"ratio": f"{info.file_size // max(info.compress_size, 1):,}"}
            )


def column_number(letters):
    """A -> 1, Z -> 26, AA -> 27."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - 64 if isinstance(letter, int) else ord(letter) - 64)
    return number


def _scan_sheet(stream):
    """Count a worksheet's rows and find its last row and column from the XML, a megabyte at a
    time; raise FileRefused as soon as a limit is passed."""
    row_limit = max_rows() + 1  # the header row
    rows = last_row = last_column = 0
    carry = b""
    while True:
        chunk = stream.read(CHUNK)
        data = carry + chunk
        if chunk:
            # Tags are matched whole: the bytes after the last ">" wait for the next chunk.
            cut = data.rfind(b">") + 1
            data, carry = data[:cut], data[cut:]
            if len(carry) > CHUNK:  # a megabyte without a ">" is no worksheet
                raise _unreadable_xlsx()
        rows += len(_ROW.findall(data))
        if _OTHER_CELL.search(data):
            height, width = _extent(data, rows)
        else:
            height = max(map(int, set(_ROW_FIRST.findall(data))), default=0)
            width = max(map(column_number, set(_COLUMN_FIRST.findall(data))), default=0)
        last_row, last_column = max(last_row, height), max(last_column, width)
        if rows > row_limit or last_row > row_limit:
            raise _too_many_rows()
        if last_column > MAX_COLUMNS:
            raise FileRefused(
                _("The sheet has more than %(limit)s columns; delete the columns that are not imported.")
                % {"limit": f"{MAX_COLUMNS:,}"}
            )
        if last_row * last_column > MAX_CELLS:
            raise FileRefused(
                _(
                    "The sheet spans %(rows)s rows by %(columns)s columns, more than the %(cells)s cells "
                    "an import reads. Delete the empty rows and columns around the data, or split the file."
                )
                % {"rows": f"{last_row:,}", "columns": f"{last_column:,}", "cells": f"{MAX_CELLS:,}"}
            )
        if not chunk:
            return


def _extent(data, rows_so_far):
    """(last row, last column) a chunk can reach when some of its cells have no position (or
    not first): numbered rows and cells as they say, the others after every row and as wide
    as the most cells in one row (a row cut between chunks counts as two narrower ones)."""
    numbers = _ROW_NUMBER.findall(data)
    refs = _CELL_REF.findall(data)
    last_row = max((int(n) for n in set(numbers)), default=0) + rows_so_far
    last_row = max(last_row, *(int(r) for _c, r in refs)) if refs else last_row
    widest = max(len(_CELL.findall(row)) for row in data.split(b"</row>"))
    last_column = max(widest, *(column_number(c) for c, _r in refs)) if refs else widest
    return last_row, last_column


# --------------------------------------------------------------------------- CSV


def _check_csv(path):
    """Count the CSV records (quoted line breaks inside a cell do not count) from the disk."""
    with path.open("rb") as handle:
        start = handle.read(4)
        handle.seek(0)
        # UTF-8 and GB18030 never use the bytes of quotes, separators and line ends inside a
        # character, so Latin-1 splits them into the same records without decoding them.
        encoding = "utf-16" if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "latin-1"
        text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
        first_line = text.readline(64 * 1024)
        counts = {d: first_line.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
        text.seek(0)
        limit = max_rows() + 1  # the header row
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for number, _row in enumerate(reader, start=1):
                if number > limit:
                    raise _too_many_rows()
        except csv.Error:
            return  # a damaged file: the importer reports where
