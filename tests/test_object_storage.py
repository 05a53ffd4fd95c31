"""Files in an S3-compatible bucket (issue 17, point 1): what one app server stores, another
finds, and private files still leave only through the permission-checked views.

The bucket is a real S3-compatible server on a local port (moto's standalone server), spoken
to over HTTP by django-storages and boto3 as MinIO or Aliyun OSS would be.
"""

import json
import socket
import urllib.request
from urllib.parse import quote

import boto3
import pytest
from django.core.files.storage import default_storage, storages
from django.test import Client
from django.urls import reverse
from django.utils.functional import empty

from manyi import private_files
from manyi.settings import _s3_options
from manyi.tickets.tests.sample_files import image_bytes, pdf_bytes
from manyi.tickets.tests.test_attachments import make_ticket, upload

pytestmark = pytest.mark.django_db

BUCKET = "manyi-files"
KEYS = {"access_key": "testing-key", "secret_key": "testing-secret"}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """A new empty bucket, and the settings that put every file in it (as STORAGE_URL does)."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    name = f"{BUCKET}-{_free_port()}"
    client.create_bucket(Bucket=name)
    # The local folders exist but must stay empty: nothing may land on this machine's disk.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TICKET_ATTACHMENT_ROOT = tmp_path / "media" / "private" / "tickets"
    # As an operator writes it in the environment: STORAGE_URL=s3://key:secret@bucket?endpoint_url=…
    url = (
        f"s3://{KEYS['access_key']}:{KEYS['secret_key']}@{name}"
        f"?endpoint_url={quote(s3_endpoint, safe='')}&region_name=us-east-1&addressing_style=path"
    )
    settings.STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options(url)},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client.bucket = name
    client.local_root = tmp_path / "media"
    return client


def objects(bucket):
    found = bucket.list_objects_v2(Bucket=bucket.bucket).get("Contents", [])
    return {item["Key"]: item["Size"] for item in found}


def another_server():
    """What a second app server has: no storage object, no connection of the first's."""
    storages._backends.clear()
    default_storage._wrapped = empty
    private_files._object_storage.cache_clear()
    return Client()


def local_files(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_an_attachment_stored_through_one_server_downloads_through_another(people, bucket):
    ticket = make_ticket(people.quality)
    first = Client()
    first.force_login(people.amy)
    document = pdf_bytes()  # dated: made once
    upload(first, ticket, ("照片.png", image_bytes()), ("报告.pdf", document))
    png, pdf = ticket.attachments.order_by("pk")
    kept = objects(bucket)
    assert set(kept) == {f"private/tickets/{png.file.name}", f"private/tickets/{pdf.file.name}"}
    assert kept[f"private/tickets/{png.file.name}"] == len(image_bytes())
    assert not local_files(bucket.local_root)

    second = another_server()
    second.force_login(people.sam)
    response = second.get(reverse("tickets:attachment", args=[ticket.pk, png.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == image_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    response = second.get(reverse("tickets:attachment", args=[ticket.pk, pdf.pk]))
    assert b"".join(response.streaming_content) == document
    assert response["Content-Disposition"].startswith("attachment")


def test_the_bucket_still_refuses_who_may_not_see_the_ticket(people, bucket):
    from manyi.tickets.models import Ticket

    ticket = make_ticket(people.quality)
    first = Client()
    first.force_login(people.amy)
    upload(first, ticket, ("照片.png", image_bytes()))
    png = ticket.attachments.get()
    Ticket.objects.filter(pk=ticket.pk).update(department=people.service)

    second = another_server()
    second.force_login(people.hank)  # a handler of the quality department: not his ticket now
    response = second.get(reverse("tickets:attachment", args=[ticket.pk, png.pk]))
    assert response.status_code == 404
    second.logout()
    response = second.get(reverse("tickets:attachment", args=[ticket.pk, png.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # And the bucket itself gives nothing without a signature.
    address = f"{bucket.meta.endpoint_url}/{bucket.bucket}/private/tickets/{png.file.name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(address, timeout=10)  # noqa: S310 (a local test server)
    assert refused.value.code == 403


def test_presigned_delivery_redirects_to_a_short_lived_link_that_gives_the_file(people, bucket, settings):
    settings.PRIVATE_FILES_DELIVERY = "presigned"
    settings.PRIVATE_FILES_URL_SECONDS = 30
    ticket = make_ticket(people.quality)
    client = Client()
    client.force_login(people.amy)
    document = pdf_bytes()
    upload(client, ticket, ("报告.pdf", document))
    pdf = ticket.attachments.get()
    response = another_server()
    response.force_login(people.sam)
    response = response.get(reverse("tickets:attachment", args=[ticket.pk, pdf.pk]))
    assert response.status_code == 302
    link = response["Location"]
    assert link.startswith(f"{bucket.meta.endpoint_url}/") and "X-Amz-Expires=30" in link
    with urllib.request.urlopen(link, timeout=10) as answer:  # noqa: S310 (a local test server)
        assert answer.read() == document
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["Content-Disposition"].startswith("attachment")
    # hank may not see the ticket once it belongs to another department: no link for him.
    from manyi.tickets.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(department=people.service)
    refused = Client()
    refused.force_login(people.hank)
    assert refused.get(reverse("tickets:attachment", args=[ticket.pk, pdf.pk])).status_code == 404


def test_improvement_evidence_is_kept_in_the_bucket_too(people, bucket, settings):
    from manyi.improvements.storage import storage

    settings.IMPROVEMENT_EVIDENCE_ROOT = bucket.local_root / "private" / "improvements"
    name = storage.save("2026/12/x.png", __import__("io").BytesIO(image_bytes()))
    assert f"private/improvements/{name}" in objects(bucket)
    assert not local_files(bucket.local_root)
    assert storage.size(name) == len(image_bytes())
    storage.delete(name)
    assert not objects(bucket)


def test_an_import_uploaded_through_one_server_is_mapped_through_another(people, bucket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from manyi.customers.models import Customer

    first = Client()
    first.force_login(people.alice)
    csv = "客户编号,客户名称\nC-9001,华东机电\nC-9002,西南物流\n".encode()
    response = first.post(
        reverse("customers:import"),
        {"kind": "customers", "file": SimpleUploadedFile("客户.csv", csv)},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert [key.startswith("imports/") for key in objects(bucket)] == [True]
    assert not local_files(bucket.local_root)

    second = another_server()
    second.cookies = first.cookies  # the same session, now on the other server
    mapping_page = second.get(response["Location"])
    assert mapping_page.status_code == 200
    form = mapping_page.context["form"]
    data = {name: field.initial if field.initial is not None else "" for name, field in form.fields.items()}
    data.update({key: value for key, value in form.initial.items() if value is not None})
    data["update_existing"] = ""
    done = second.post(response["Location"], data)
    assert done.status_code == 302, done.content.decode()[:500]
    assert set(Customer.objects.values_list("code", flat=True)) >= {"C-9001", "C-9002"}
    assert not objects(bucket)  # the upload is removed once imported


def test_the_health_check_tries_the_bucket(client, bucket):
    body = json.loads(client.get("/healthz").content)
    assert body["checks"]["storage"] == "ok"
    assert not objects(bucket)  # its probe file is removed again


def test_the_storage_settings_are_read_from_storage_url_or_the_aws_variables(monkeypatch):
    for name in (
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    assert _s3_options("") is None  # nothing set: the local disk
    options = _s3_options(
        "s3://k%2F1:s%40cret@files/manyi/prod?endpoint_url=https%3A%2F%2Foss-cn-hangzhou.aliyuncs.com"
    )
    assert options["bucket_name"] == "files" and options["location"] == "manyi/prod"
    assert (options["access_key"], options["secret_key"]) == ("k/1", "s@cret")
    assert options["endpoint_url"] == "https://oss-cn-hangzhou.aliyuncs.com"
    assert options["default_acl"] == "private" and options["file_overwrite"] is False
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "from-env")
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "http://minio:9000")
    options = _s3_options("")
    assert (options["bucket_name"], options["endpoint_url"]) == ("from-env", "http://minio:9000")
    with pytest.raises(ValueError, match="unknown option 'acl'"):
        _s3_options("s3://files?acl=public-read")
    with pytest.raises(ValueError, match="STORAGE_URL must be"):
        _s3_options("ftp://files")


@pytest.mark.django_db(transaction=True)
def test_a_backup_takes_the_files_from_the_bucket(people, bucket, tmp_path):
    import hashlib
    import io
    import tarfile

    from django.core.management import call_command

    ticket = make_ticket(people.quality)
    client = Client()
    client.force_login(people.amy)
    upload(client, ticket, ("照片.png", image_bytes()))
    png = ticket.attachments.get()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive, "r:gz") as packed:
        manifest = json.loads(packed.extractfile("manifest.json").read())
        assert [(entry["store"], entry["name"]) for entry in manifest["files"]] == [
            ("tickets", png.file.name)
        ]
        data = packed.extractfile(manifest["files"][0]["member"]).read()
    assert data == image_bytes()
    assert manifest["files"][0]["sha256"] == hashlib.sha256(image_bytes()).hexdigest()
