"""S3 direct upload: the client PUTs parts to presigned URLs, the server assembles, checksums and hands over."""

from __future__ import annotations

import hashlib
import os

import pytest
import requests

from sciport.core import storage
from sciport.testing.s3 import StorageUnderTest
from sciport.uploads import services
from sciport.uploads.models import Upload, UploadState

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


def start(api, size: int, **metadata: str):
    return api.post("/multipart-uploads", json={"file_name": "scan.tif", "size": size, "target": "sink", "metadata": metadata})


def put_parts(content: bytes, started: dict) -> list[dict]:
    """What a browser or boto3-less client does: PUT each slice to its presigned URL and keep the ETags."""
    parts = []
    for part in started["parts"]:
        offset = (part["number"] - 1) * started["part_size"]
        answer = requests.put(part["url"], data=content[offset : offset + started["part_size"]], timeout=60)
        assert answer.status_code == 200, answer.text
        parts.append({"number": part["number"], "etag": answer.headers["ETag"]})
    return parts


def test_parts_sent_straight_to_s3_become_one_checksummed_file(make_user, api_for, sink_target, s3_storage: StorageUnderTest):
    content = os.urandom(2 * storage.S3_PART_SIZE + 3 * MIB)
    api = api_for(make_user())
    started = start(api, len(content), dataset="ds_1")
    assert started.status_code == 201, started.content
    body = started.json()
    assert (body["part_size"], body["part_count"], len(body["parts"])) == (storage.S3_PART_SIZE, 3, 3)

    finished = api.post(f"/multipart-uploads/{body['id']}/complete", json={"parts": put_parts(content, body)})

    assert finished.status_code == 200, finished.content
    assert finished.json()["state"] == "consumed"
    assert finished.json()["metadata"] == {"dataset": "ds_1", "filename": "scan.tif"}
    consumed = sink_target[0]
    assert consumed.sha256 == hashlib.sha256(content).hexdigest()
    assert consumed.md5 == hashlib.md5(content).hexdigest()  # noqa: S324
    assert storage.checksum(consumed.storage_name).sha256 == consumed.sha256


def test_part_urls_come_in_pages(make_user, api_for, sink_target, s3_storage: StorageUnderTest, monkeypatch):
    monkeypatch.setattr(services, "MAX_PART_URLS", 2)  # as with 1,000 URLs a page and a 10 GB file
    api = api_for(make_user())
    started = start(api, 4 * storage.S3_PART_SIZE + 1).json()
    assert [part["number"] for part in started["parts"]] == [1, 2]

    second = api.get(f"/multipart-uploads/{started['id']}/parts?first=3").json()
    last = api.get(f"/multipart-uploads/{started['id']}/parts?first=5").json()

    assert ([part["number"] for part in second["parts"]], second["next_part"]) == ([3, 4], 5)
    assert ([part["number"] for part in last["parts"]], last["next_part"]) == ([5], None)
    assert api.get(f"/multipart-uploads/{started['id']}/parts?first=6").status_code == 422


def test_a_wrong_etag_or_a_missing_part_is_refused_field_by_field(make_user, api_for, sink_target, s3_storage: StorageUnderTest):
    content = os.urandom(storage.S3_PART_SIZE + MIB)
    api = api_for(make_user())
    body = start(api, len(content)).json()
    parts = put_parts(content, body)

    missing = api.post(f"/multipart-uploads/{body['id']}/complete", json={"parts": parts[:1]})
    wrong = api.post(f"/multipart-uploads/{body['id']}/complete", json={"parts": [parts[0], {"number": 2, "etag": '"0"'}]})

    assert missing.status_code == wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "parts"
    assert api.post(f"/multipart-uploads/{body['id']}/complete", json={"parts": parts}).status_code == 200
    assert sink_target[0].size == len(content)


def test_aborting_drops_the_parts_already_sent(make_user, api_for, sink_target, s3_storage: StorageUnderTest):
    api = api_for(make_user())
    content = os.urandom(MIB)
    body = start(api, len(content)).json()
    put_parts(content, body)

    assert api.delete(f"/uploads/{body['id']}").status_code == 204

    client = s3_storage.server.client()  # type: ignore[union-attr]
    assert client.list_multipart_uploads(Bucket=s3_storage.location).get("Uploads", []) == []
    assert Upload.objects.get(public_id=body["id"]).state == UploadState.TERMINATED
    assert api.post(f"/multipart-uploads/{body['id']}/complete", json={"parts": []}).status_code == 404


def test_quota_and_permission_are_decided_by_the_target_before_s3_is_asked(
    make_user, api_for, sink_target, s3_storage: StorageUnderTest
):
    api = api_for(make_user())
    assert start(api, 10 * MIB, quota=str(MIB)).status_code == 413
    assert start(api, MIB, refuse="yes").status_code == 403
    client = s3_storage.server.client()  # type: ignore[union-attr]
    assert client.list_multipart_uploads(Bucket=s3_storage.location).get("Uploads", []) == []


def test_on_local_disk_the_answer_says_to_use_tus(make_user, api_for, sink_target, local_storage: StorageUnderTest):
    answer = start(api_for(make_user()), MIB)
    assert answer.status_code == 409
    assert "/api/v1/uploads/" in answer.json()["detail"]


def test_someone_elses_multipart_upload_does_not_exist_for_me(make_user, api_for, sink_target, s3_storage: StorageUnderTest):
    upload_id = start(api_for(make_user()), MIB).json()["id"]
    bob = api_for(make_user())
    assert bob.get(f"/multipart-uploads/{upload_id}/parts").status_code == 404
    assert bob.post(f"/multipart-uploads/{upload_id}/complete", json={"parts": []}).status_code == 404
    assert bob.delete(f"/uploads/{upload_id}").status_code == 404
