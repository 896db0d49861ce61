"""Uploads to the ``dataset`` target become files of drafts: attached on completion, or by an explicit request."""

import io

import pytest

from sciport.core import storage
from sciport.core.errors import Conflict, NotFound, ValidationFailed
from sciport.datasets.services import files
from sciport.datasets.tests.files_helpers import (
    in_english,  # noqa: F401 - a fixture, used through pytestmark
    make_zip,
    upload_bytes,
)
from sciport.uploads import services as uploads
from sciport.uploads.errors import TooLarge
from sciport.uploads.models import UploadState

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def test_an_upload_naming_a_path_becomes_a_file_when_it_completes(make_draft, bank, any_storage):
    version = make_draft(files={})
    data = b"station,pm25\nA,12\n" * 1000
    upload = upload_bytes(bank.depositor, data, version_id=version.public_id, path="观测/readings.csv")
    file = version.files.get()
    assert (file.path, file.size, file.sha256) == ("观测/readings.csv", len(data), upload.sha256)
    assert b"".join(storage.open_chunks(file.blob_name)) == data
    upload.refresh_from_db()
    assert upload.state == UploadState.CONSUMED
    assert not storage.exists(upload.storage_name)


def test_an_upload_without_a_path_waits_for_the_attach_request(make_draft, bank, api_for, any_storage):
    version = make_draft(files={})
    upload = upload_bytes(bank.depositor, b"later", version_id=version.public_id)
    assert not version.files.exists()
    api = api_for(bank.depositor)
    answer = api.post(f"/versions/{version.public_id}/files", json={"upload_id": upload.public_id, "path": "docs/README.txt"})
    assert answer.status_code == 201, answer.content
    assert answer.json()["files"][0]["path"] == "docs/README.txt"
    again = api.post(f"/versions/{version.public_id}/files", json={"upload_id": upload.public_id, "path": "docs/again.txt"})
    assert again.status_code in (404, 409)


def test_an_upload_is_refused_before_any_byte_when_the_draft_cannot_take_it(make_draft, make_user, bank, settings):
    version = make_draft(files={"taken.csv": b"1"})

    def create(user, length=10, **metadata):
        return uploads.upload_create(actor=user, target="dataset", metadata=metadata, length=length)

    with pytest.raises(ValidationFailed):
        create(bank.depositor, path="a.csv")  # no version_id
    with pytest.raises(NotFound):
        create(make_user(), version_id=version.public_id, path="a.csv")
    with pytest.raises(ValidationFailed):
        create(bank.depositor, version_id=version.public_id, path="../a.csv")
    with pytest.raises(Conflict):
        create(bank.depositor, version_id=version.public_id, path="taken.csv")
    settings.DATASET_MAX_BYTES = 100
    with pytest.raises(TooLarge) as refused:
        create(bank.depositor, length=200, version_id=version.public_id, path="big.bin")
    assert refused.value.status == 413


def test_a_zip_upload_can_be_unpacked_and_kept(make_draft, bank, api_for, any_storage):
    version = make_draft(files={})
    archive = make_zip({"site-a/2025.csv": b"a,b\n1,2\n", "site-b/2025.csv": b"a,b\n3,4\n", "README.md": b"# Data\n"})
    upload = upload_bytes(bank.depositor, archive, version_id=version.public_id)
    answer = api_for(bank.depositor).post(
        f"/versions/{version.public_id}/files",
        json={"upload_id": upload.public_id, "path": "raw/bundle.zip", "unpack": True, "keep_archive": True},
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["added"] == 4
    assert sorted(f.path for f in version.files.all()) == [
        "raw/README.md",
        "raw/bundle.zip",
        "raw/site-a/2025.csv",
        "raw/site-b/2025.csv",
    ]
    zipped = version.files.get(name="bundle.zip")
    assert b"".join(storage.open_chunks(zipped.blob_name)) == archive


def test_an_upload_whose_path_was_taken_meanwhile_stays_usable(make_draft, bank, api_for):
    version = make_draft(files={})
    data = b"late arrival"
    upload = uploads.upload_create(
        actor=bank.depositor, target="dataset", metadata={"version_id": version.public_id, "path": "a.csv"}, length=len(data)
    )
    files.version_add_bytes(actor=bank.depositor, version=version, path="a.csv", data=b"first")
    with pytest.raises(Conflict):
        uploads.upload_append(
            actor=bank.depositor, upload=upload, offset=0, read=io.BytesIO(data).read, count=len(data), checksum=None
        )
    upload.refresh_from_db()
    assert upload.state == UploadState.COMPLETE  # the bytes are kept, not used up
    answer = api_for(bank.depositor).post(
        f"/versions/{version.public_id}/files", json={"upload_id": upload.public_id, "path": "b.csv"}
    )
    assert answer.status_code == 201, answer.content
    assert sorted(f.path for f in version.files.all()) == ["a.csv", "b.csv"]
