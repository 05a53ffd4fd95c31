"""manage.py backup and restore (issue 17, point 4): a backup restored into an empty database
by another process holds every row of every table and every file, byte for byte; a database
with tables and a damaged or hostile archive are refused before anything is touched.

On SQLite the restore goes into a new database file; on PostgreSQL into the database
manyi_deploy_restore, dropped and created empty by the test."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import translation

from manyi.testing import make_customer, make_purchase
from manyi.tickets.tests.sample_files import image_bytes, pdf_bytes
from manyi.tickets.tests.test_attachments import make_ticket, upload

ROOT = Path(__file__).resolve().parents[3]
RESTORE_DATABASE = "manyi_deploy_restore"


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.TICKET_ATTACHMENT_ROOT = root / "private" / "tickets"
    settings.IMPROVEMENT_EVIDENCE_ROOT = root / "private" / "improvements"
    return root


def make_world(people):
    """Customers with purchases, a ticket with a photo and a PDF, a kept report file."""
    for number in range(3):
        make_purchase(make_customer(name=f"客户{number}"))
    ticket = make_ticket(people.quality)
    client = Client()
    client.force_login(people.amy)
    upload(client, ticket, ("照片.png", image_bytes()), ("报告.pdf", pdf_bytes()))
    assert ticket.attachments.count() == 2
    default_storage.save("private/reports/report-1-v1-full-zh-hans.pdf", ContentFile(pdf_bytes()))


def counts_by_sql(cursor, tables):
    """Rows per table, counted with plain SQL (not the code under test)."""
    found = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (table names from the database)
        found[table] = cursor.fetchone()[0]
    return found


def source_counts():
    with connection.cursor() as cursor:
        return counts_by_sql(cursor, connection.introspection.table_names(cursor))


def checksums(folder):
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def _postgres_target():
    """A URL of the empty database manyi_deploy_restore on the server the tests use."""
    import psycopg

    settings_dict = connection.settings_dict
    params = {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"] or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{RESTORE_DATABASE}"')
        admin.execute(f"CREATE DATABASE \"{RESTORE_DATABASE}\" TEMPLATE template0 ENCODING 'UTF8'")
    password = f":{params['password']}" if params["password"] else ""
    url = f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{RESTORE_DATABASE}"
    return url, {**params, "dbname": RESTORE_DATABASE}


def restored_counts(target):
    if connection.vendor == "sqlite":
        with sqlite3.connect(target) as restored:
            cursor = restored.cursor()
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            return counts_by_sql(cursor, [row[0] for row in cursor.fetchall()])
    import psycopg

    with psycopg.connect(**target) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return counts_by_sql(cursor, [row[0] for row in cursor.fetchall()])


def run_manage(*arguments, database_url, var_dir):
    """manage.py in a new process: another server, with its own settings."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "TICKET_ATTACHMENT_ROOT", "CACHE_URL", "STORAGE_URL", "AWS_"))
    }
    environment.update(
        {
            "DATABASE_URL": database_url,
            "MANYI_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "manyi.settings",
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_has_every_row_and_every_file(people, media, tmp_path):
    make_world(people)
    archive = tmp_path / "manyi.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    before = source_counts()
    files_before = checksums(media)
    assert len(files_before) == 3 and sum(before.values()) > 0
    assert before["tickets_attachment"] == 2 and before["customers_customer"] == 3

    restored_var = tmp_path / "restored"
    if connection.vendor == "sqlite":
        target_file = tmp_path / "restored.sqlite3"
        url, target = f"sqlite:///{target_file}", target_file
    else:
        url, target = _postgres_target()
    done = run_manage("restore", str(archive), database_url=url, var_dir=restored_var)
    assert done.returncode == 0, done.stderr

    assert restored_counts(target) == before
    assert checksums(restored_var / "media") == files_before


@pytest.mark.django_db(transaction=True)
def test_a_database_with_tables_is_refused_and_left_as_it_was(people, media, tmp_path):
    make_world(people)
    archive = tmp_path / "manyi.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    before, files_before = source_counts(), checksums(media)
    with translation.override("en"), pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert source_counts() == before
    assert checksums(media) == files_before


# --------------------------------------------------------------------------- hostile archives


def rewrite(archive, destination, change):
    """Copy the archive member by member, ``change(name, data)`` giving the new (name, data)."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(destination, "w:gz") as target:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            name, data = change(info.name, data)
            if name is None:
                continue
            new = tarfile.TarInfo(name)
            new.size = len(data)
            target.addfile(new, io.BytesIO(data))
    return destination


@pytest.fixture
def backup(transactional_db, people, media, tmp_path):
    make_world(people)
    archive = tmp_path / "manyi.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    return archive


def refused(archive, match, **options):
    before = source_counts()
    # The messages are matched in English; commands speak the active language (zh-hans).
    with translation.override("en"), pytest.raises(CommandError, match=match):
        call_command("restore", str(archive), stdout=io.StringIO(), **options)
    assert source_counts() == before


def test_the_manifest_lists_every_part_with_its_checksum(backup, media):
    with tarfile.open(backup, "r:gz") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        for entry in manifest["files"]:
            data = archive.extractfile(entry["member"]).read()
            assert (
                hashlib.sha256(data).hexdigest()
                == entry["sha256"]
                == checksums(media)[
                    {"tickets": "private/tickets/", "improvements": "private/improvements/", "media": ""}[
                        entry["store"]
                    ]
                    + entry["name"]
                ]
            )
    assert manifest["database"]["vendor"] == connection.vendor
    assert {entry["store"] for entry in manifest["files"]} == {"tickets", "media"}


def test_a_changed_file_is_found_by_its_checksum(backup, tmp_path):
    def flip(name, data):
        return name, (data[:-1] + bytes([data[-1] ^ 1])) if name.startswith("files/tickets/") else data

    refused(rewrite(backup, tmp_path / "changed.tar.gz", flip), "Checksum or size wrong")


def test_a_member_climbing_out_of_its_folder_is_refused(backup, tmp_path):
    def climb(name, data):
        return ("files/media/../../../etc/cron.d/x" if name.startswith("files/media/") else name), data

    refused(rewrite(backup, tmp_path / "climb.tar.gz", climb), "no plain file of a backup")


def test_an_archive_without_manifest_is_refused(backup, tmp_path):
    refused(
        rewrite(backup, tmp_path / "bare.tar.gz", lambda n, d: (None if n == "manifest.json" else n, d)),
        "no manifest",
    )


def test_an_archive_over_the_size_limit_is_refused_unread(backup):
    refused(backup, "larger than", max_bytes=1000)


def test_an_archive_that_unpacks_beyond_the_limit_is_refused(backup, tmp_path):
    def grow(name, data):
        return name, (data + b"\0" * 4_000_000) if name.startswith("files/media/") else data

    big = rewrite(backup, tmp_path / "big.tar.gz", grow)
    refused(big, "unpacks to more than", max_bytes=big.stat().st_size + 1_000_000)


def test_a_file_that_is_not_an_archive_is_refused(tmp_path, db):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a backup at all")
    refused(junk, "cannot be read")


def test_the_refusal_speaks_the_users_language(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive at all")
    with translation.override("zh-hans"), pytest.raises(CommandError, match="无法读取归档"):
        call_command("restore", str(junk), stdout=io.StringIO())
