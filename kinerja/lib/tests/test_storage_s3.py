"""Evidence and documents in an S3-compatible bucket (FILE_STORAGE=s3), against moto's S3 in this process.

Files go in through the real upload view and generation, and come back out through the download views; the
bytes in the bucket are the bytes served, under the evidence/ and documents/ key prefixes, and nothing is written
to the folders of the filesystem storage."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto import mock_aws

from kinerja.collection import services as collection_services
from kinerja.collection.models import Evidence, evidence_storage
from kinerja.documents import services as document_services
from kinerja.documents.models import DocumentVersion, GenerationJob, Kind
from kinerja.lib.storage import PrivateS3Storage

pytestmark = pytest.mark.django_db

BUCKET = "kinerja-test"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Title (bukti s3) >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


@pytest.fixture
def bucket(settings, tmp_path: Path) -> Iterator[object]:
    """FILE_STORAGE=s3 on an empty private bucket of moto's; the filesystem folders point at empty tmp folders."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.DOCUMENT_ROOT = tmp_path / "documents"
    with mock_aws():
        settings.FILE_STORAGE = "s3"
        settings.S3_BUCKET = BUCKET
        settings.S3_ENDPOINT_URL = ""
        settings.S3_ACCESS_KEY_ID = "testing"
        settings.S3_SECRET_ACCESS_KEY = "testing"
        settings.S3_REGION = "us-east-1"
        settings.S3_ADDRESSING_STYLE = ""
        client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="testing",
                              aws_secret_access_key="testing")  # fmt: skip
        client.create_bucket(Bucket=BUCKET)
        yield client


def _keys(client) -> list[str]:  # type: ignore[no-untyped-def]
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def _object(client, key: str) -> bytes:  # type: ignore[no-untyped-def]
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def _nothing_on_disk(*folders: Path) -> bool:
    return not any(path.is_file() for folder in folders for path in folder.rglob("*"))


def test_evidence_goes_up_through_the_upload_view_and_comes_back_through_the_download_view(
    bucket, login, dishub, perencanaan, settings
) -> None:  # type: ignore[no-untyped-def]
    opened = collection_services.open_period(agency=dishub, year=2026, quarter=3, by=perencanaan)
    submission = next(
        r.submission for r in opened.requests if r.kind == "division" and r.unit.name == "Bidang Lalu Lintas"
    )
    line = submission.lines.first()
    response = login("staf").post(
        reverse("collection-evidence-add", args=[line.pk]),
        {"file": SimpleUploadedFile("bukti.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(line=line)

    key = f"evidence/{evidence.file.name}"
    assert _keys(bucket) == [key]
    assert _object(bucket, key) == PDF
    # Private: no grant beyond the owner's, and no URL is handed out.
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert "URI" not in grants[0]["Grantee"]
    with pytest.raises(NotImplementedError):
        evidence.file.url  # noqa: B018

    response = login("kabid").get(reverse("collection-evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert hashlib.sha256(PDF).hexdigest() == evidence.sha256
    assert _nothing_on_disk(Path(settings.EVIDENCE_ROOT))

    # An object gone from the bucket answers 404, as a file gone from the folder does.
    bucket.delete_object(Bucket=BUCKET, Key=key)
    assert login("kabid").get(reverse("collection-evidence", args=[evidence.pk])).status_code == 404


def test_a_document_is_generated_into_the_bucket_and_downloaded_from_it(
    bucket, login, dishub, perencanaan, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    document = document_services.create_document(agency=dishub, kind=Kind.MEASUREMENT, year=2026, quarter=2,
                                                 by=perencanaan)  # fmt: skip
    client = login("perencanaan")
    with django_capture_on_commit_callbacks(execute=True):  # the tests' tasks backend runs the task at once
        assert client.post(reverse("documents-generate", args=[document.pk])).status_code == 302
    job = GenerationJob.objects.get(document=document)
    assert job.status == GenerationJob.Status.DONE, job.error
    version = DocumentVersion.objects.get(document=document)

    assert sorted(_keys(bucket)) == sorted(f"documents/{field.name}" for field in (version.pdf, version.docx,
                                                                                  version.xlsx))  # fmt: skip
    for file_format in ("pdf", "docx", "xlsx"):
        response = client.get(reverse("documents-download", args=[version.pk, file_format]))
        assert response.status_code == 200, file_format
        served = b"".join(response.streaming_content)
        assert served == _object(bucket, f"documents/{getattr(version, file_format).name}")
    pdf = _object(bucket, f"documents/{version.pdf.name}")
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    assert _nothing_on_disk(Path(settings.DOCUMENT_ROOT))


def test_the_store_is_chosen_at_each_use(bucket, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    storage = evidence_storage()
    name = storage.save("evidence/2026/pilihan", ContentFile(b"s3"))
    assert _keys(bucket) == [f"evidence/{name}"]
    settings.FILE_STORAGE = "filesystem"
    assert not storage.exists(name)
    again = storage.save("evidence/2026/pilihan", ContentFile(b"disk"))
    assert (Path(settings.EVIDENCE_ROOT) / again).read_bytes() == b"disk"
    settings.FILE_STORAGE = "s3"
    with storage.open(name) as handle:
        assert handle.read() == b"s3"


def test_a_name_is_never_overwritten_and_a_folder_with_objects_exists(bucket) -> None:  # type: ignore[no-untyped-def]
    storage = PrivateS3Storage(location="media")
    first = storage.save("imports/a.xlsx", ContentFile(b"1"))
    second = storage.save("imports/a.xlsx", ContentFile(b"2"))
    assert first == "imports/a.xlsx" and second != first
    assert storage.exists("imports") and storage.exists("imports/") and not storage.exists("elsewhere")
    assert sorted(storage.listdir("imports")[1]) == sorted(name.split("/", 1)[1] for name in (first, second))
    assert sorted(_keys(bucket)) == sorted(f"media/{name}" for name in (first, second))
