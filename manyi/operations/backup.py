"""Backups of a whole installation: the database and every stored file in one .tar.gz
(issue 17, point 4). ``manage.py backup`` and ``manage.py restore`` call :func:`write_backup`
and :func:`restore_backup`.

The archive holds, in this order:

* ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite: a consistent copy through SQLite's online backup, taken while the app runs);
* ``files/<store>/<name>``: every file of each store (ticket attachments, improvement evidence,
  everything else in the default storage: report PDFs, ...), read through Django's storage API,
  so from the local disk or from an S3-compatible bucket alike;
* ``manifest.json``: the format, when, the database's vendor and its rows per table, and each
  member's name, size and SHA-256.

A restore goes only into an EMPTY database (a database with tables is refused, so that an
installation is never overwritten by mistake) and checks the whole archive first: its size,
every member's name (no absolute path, no "..", only regular files named in the manifest),
the total unpacked size, and every checksum. Only then is the database restored, then the
files, each checked again as it is written.
"""

import dataclasses
import hashlib
import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "manyi-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024
# What a restore reads at most, unless told otherwise (--max-bytes): the archive on disk and
# unpacked, and how many members it may have.
DEFAULT_MAX_BYTES = 200 * 1024**3
MAX_MEMBERS = 2_000_000
MAX_MANIFEST_BYTES = 512 * 1024 * 1024
# Folders of the default storage that are no data: the health check's probes and imports
# waiting for their second step.
SKIPPED_FOLDERS = ("healthz", "imports")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


# --------------------------------------------------------------------------- the stores


def stores():
    """{name: storage} of every place files are kept. The attachments' and the evidence's
    storages come first; the default storage's own copies of their folders are skipped."""
    from manyi.improvements.storage import storage as evidence_storage
    from manyi.tickets.attachments import private_storage

    return {"tickets": private_storage(), "improvements": evidence_storage, "media": default_storage}


def _skipped(store, name):
    top = name.split("/", 1)[0]
    return store == "media" and (
        top in SKIPPED_FOLDERS or name.startswith(("private/tickets/", "private/improvements/"))
    )


def stored_names(storage, folder=""):
    """Every file name under ``folder`` of ``storage``, through its listdir."""
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from stored_names(storage, posixpath.join(folder, sub) if folder else sub)


# --------------------------------------------------------------------------- backup


def table_counts(using=connection):
    """{table: rows} of every table of the database."""
    counts = {}
    with using.cursor() as cursor:
        for table in sorted(using.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {using.ops.quote_name(table)}")  # noqa: S608 (introspected names)
            counts[table] = cursor.fetchone()[0]
    return counts


def _pg_environment(settings_dict):
    """libpq's variables for the database: the password never on a command line."""
    environment = {**os.environ}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    environment["PGDATABASE"] = settings_dict["NAME"]
    if (settings_dict.get("OPTIONS") or {}).get("sslmode"):
        environment["PGSSLMODE"] = settings_dict["OPTIONS"]["sslmode"]
    return environment


def _run(command, environment):
    try:
        done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            _("%(program)s was not found; install PostgreSQL's client programs (postgresql-client).")
            % {"program": command[0]}
        ) from None
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s") % {"program": command[0], "error": done.stderr.strip()}
        )


def dump_database(path):
    """The database into ``path``; its vendor."""
    vendor = connection.vendor
    if vendor == "postgresql":
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path)]
        _run(command, _pg_environment(connection.settings_dict))
    elif vendor == "sqlite":
        if connection.in_atomic_block:
            # SQLite's backup would wait forever for the write lock this transaction holds.
            raise BackupError(_("A backup of SQLite cannot be taken inside a transaction."))
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(_("Backups know PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor})
    return vendor


class _Hashing:
    """A file object that hashes and counts what is read through it."""

    def __init__(self, handle):
        self.handle, self.digest, self.count = handle, hashlib.sha256(), 0

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        self.count += len(data)
        return data


def _add_stream(archive, member, handle, size):
    info = tarfile.TarInfo(member)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o600
    reader = _Hashing(handle)
    archive.addfile(info, reader)
    if reader.count != size:
        raise BackupError(_("%(name)s changed while it was copied; run the backup again.") % {"name": member})
    return {"member": member, "size": size, "sha256": reader.digest.hexdigest()}


def _add_files(archive):
    entries = []
    for store, storage in stores().items():
        for name in stored_names(storage):
            if _skipped(store, name):
                continue
            with storage.open(name, "rb") as handle:
                entry = _add_stream(archive, f"files/{store}/{name}", handle, storage.size(name))
            entries.append({"store": store, "name": name, **entry})
    return entries


def write_backup(destination):
    """Write the archive to ``destination`` (through a temporary name: a half-written archive
    is never taken for a backup). Returns the manifest."""
    destination = Path(destination)
    with tempfile.TemporaryDirectory(prefix="manyi-backup-") as folder:
        dump = Path(folder) / "database"
        vendor = dump_database(dump)
        counts = table_counts()
        partial = destination.with_name(f".{destination.name}.partial")
        with tarfile.open(partial, "w:gz") as archive:
            with dump.open("rb") as handle:
                database = _add_stream(archive, DATABASE_MEMBERS[vendor], handle, dump.stat().st_size)
            files = _add_files(archive)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "database": {"vendor": vendor, **database, "tables": counts},
                "files": files,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            archive.addfile(info, io.BytesIO(data))
        os.replace(partial, destination)
    return manifest


# --------------------------------------------------------------------------- checking an archive


@dataclasses.dataclass
class Checked:
    manifest: dict
    members: dict  # member name -> (size, sha256) as read from the archive


def _safe_member_name(name):
    parts = name.split("/")
    return (
        name
        and not name.startswith("/")
        and "\\" not in name
        and "\x00" not in name
        and all(part not in ("", ".", "..") for part in parts)
        and len(name) <= 1024
    )


def _read_member(archive, info, limit):
    handle = archive.extractfile(info)
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise BackupError(
                _("The archive unpacks to more than %(limit)s bytes; it was not read further.")
                % {"limit": f"{limit:,}"}
            )
        digest.update(chunk)
    return size, digest.hexdigest()


def _scan(path, max_bytes):
    """Read the whole archive once: every member's size and checksum, and the manifest."""
    members, manifest_data, total = {}, None, 0
    try:
        with tarfile.open(path, "r|gz") as archive:
            for info in archive:
                if len(members) >= MAX_MEMBERS:
                    raise BackupError(
                        _("The archive has more than %(limit)s members.") % {"limit": f"{MAX_MEMBERS:,}"}
                    )
                if not info.isreg() or not _safe_member_name(info.name):
                    raise BackupError(
                        _("The archive holds a member that is no plain file of a backup: “%(name)s”.")
                        % {"name": info.name}
                    )
                if info.name in members:
                    raise BackupError(_("The archive holds %(name)s twice.") % {"name": info.name})
                if info.name == MANIFEST:
                    if info.size > MAX_MANIFEST_BYTES:
                        raise BackupError(_("The archive's manifest is too large."))
                    manifest_data = archive.extractfile(info).read()
                    members[info.name] = (len(manifest_data), None)
                    continue
                size, checksum = _read_member(archive, info, max_bytes - total)
                total += size
                members[info.name] = (size, checksum)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise BackupError(_("The archive cannot be read: %(error)s") % {"error": error}) from None
    if manifest_data is None:
        raise BackupError(_("The archive has no manifest.json: it is not a Manyi backup."))
    try:
        manifest = json.loads(manifest_data)
    except ValueError:
        raise BackupError(_("The archive's manifest is damaged.")) from None
    return manifest, members


def _expected_members(manifest):
    """{member: (size, sha256)} the manifest promises, checking its shape."""
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or manifest.get("version") != VERSION
    ):
        raise BackupError(_("The archive is not a Manyi backup of a version this program restores."))
    database = manifest.get("database") or {}
    if database.get("member") != DATABASE_MEMBERS.get(database.get("vendor")):
        raise BackupError(_("The archive's manifest names no database this program restores."))
    expected = {database["member"]: (database.get("size"), database.get("sha256"))}
    known = set(stores())
    for entry in manifest.get("files") or []:
        name, store = entry.get("name"), entry.get("store")
        if store not in known or not isinstance(name, str) or not _safe_member_name(name):
            raise BackupError(
                _("The archive's manifest names a file that cannot be restored: “%(name)s”.") % {"name": name}
            )
        if entry.get("member") != f"files/{store}/{name}":
            raise BackupError(
                _("The archive's manifest names a file that cannot be restored: “%(name)s”.") % {"name": name}
            )
        expected[entry["member"]] = (entry.get("size"), entry.get("sha256"))
    return expected


def check_archive(path, max_bytes=DEFAULT_MAX_BYTES):
    """Everything a restore needs to trust the archive, before anything is touched."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("%(path)s is not a file.") % {"path": path})
    if path.stat().st_size > max_bytes:
        raise BackupError(_("The archive is larger than %(limit)s bytes.") % {"limit": f"{max_bytes:,}"})
    manifest, members = _scan(path, max_bytes)
    expected = _expected_members(manifest)
    found = {name: value for name, value in members.items() if name != MANIFEST}
    if set(found) != set(expected):
        strange = sorted(set(found) ^ set(expected))[:5]
        raise BackupError(
            _("The archive's members do not match its manifest: %(names)s.") % {"names": ", ".join(strange)}
        )
    wrong = [name for name, value in expected.items() if tuple(found[name]) != tuple(value)]
    if wrong:
        raise BackupError(
            _("Checksum or size wrong for %(names)s: the archive is damaged.")
            % {"names": ", ".join(sorted(wrong)[:5])}
        )
    return Checked(manifest=manifest, members=found)


# --------------------------------------------------------------------------- restore


def refuse_unless_empty():
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(count)s tables, e.g. %(example)s). A backup is "
                "restored only into an empty database: create a new one and point DATABASE_URL at it."
            )
            % {"name": connection.settings_dict["NAME"], "count": len(tables), "example": sorted(tables)[0]}
        )


def _file_conflicts(manifest):
    """Files that exist in the stores with other content: a restore would not overwrite them."""
    conflicts = []
    all_stores = stores()
    for entry in manifest["files"]:
        storage = all_stores[entry["store"]]
        if storage.exists(entry["name"]) and _stored_checksum(storage, entry["name"]) != entry["sha256"]:
            conflicts.append(f"{entry['store']}:{entry['name']}")
    return conflicts


def _stored_checksum(storage, name):
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def refuse_other_vendor(vendor):
    if vendor != connection.vendor:
        raise BackupError(
            _("The backup is of a %(backup)s database; DATABASE_URL names a %(target)s one.")
            % {"backup": vendor, "target": connection.vendor}
        )


def load_database(vendor, path):
    refuse_other_vendor(vendor)
    if vendor == "postgresql":
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        environment = _pg_environment(connection.settings_dict)
        _run([*command, "--dbname", environment["PGDATABASE"], str(path)], environment)
    else:
        connection.close()
        source = sqlite3.connect(path)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    connection.close()


def _restore_members(path, checked, folder):
    """Second pass: the database to a temporary file, the files into their stores."""
    database = checked.manifest["database"]
    files = {entry["member"]: entry for entry in checked.manifest["files"]}
    all_stores = stores()
    restored = 0
    with tarfile.open(path, "r|gz") as archive:
        for info in archive:
            if info.name == MANIFEST:
                continue
            expected = checked.members[info.name]
            handle = _Hashing(archive.extractfile(info))
            if info.name == database["member"]:
                with (Path(folder) / "database").open("wb") as out:
                    shutil.copyfileobj(handle, out, CHUNK)
                _same(info.name, handle, expected)
                load_database(database["vendor"], Path(folder) / "database")
                continue
            entry = files[info.name]
            restored += _restore_file(all_stores[entry["store"]], entry, handle, expected)
    return restored


def _restore_file(storage, entry, handle, expected):
    if storage.exists(entry["name"]):
        return 0  # the same file (checked before anything was touched)
    saved = storage.save(entry["name"], File(handle, name=posixpath.basename(entry["name"])))
    _same(entry["member"], handle, expected)
    if saved != entry["name"]:
        raise BackupError(_("%(name)s was stored as %(saved)s.") % {"name": entry["name"], "saved": saved})
    return 1


def _same(name, handle, expected):
    if (handle.count, handle.digest.hexdigest()) != tuple(expected):
        raise BackupError(
            _("%(name)s changed while it was restored: the archive is being changed.") % {"name": name}
        )


def restore_backup(path, max_bytes=DEFAULT_MAX_BYTES):
    """Check the archive and the target, then restore the database and the files. Returns
    (manifest, files written)."""
    checked = check_archive(path, max_bytes)
    refuse_other_vendor(checked.manifest["database"]["vendor"])
    refuse_unless_empty()
    conflicts = _file_conflicts(checked.manifest)
    if conflicts:
        raise BackupError(
            _("Files of the backup exist with other content in the storage; nothing was restored: %(names)s")
            % {"names": ", ".join(conflicts[:5])}
        )
    with tempfile.TemporaryDirectory(prefix="manyi-restore-") as folder:
        written = _restore_members(path, checked, folder)
    return checked.manifest, written
