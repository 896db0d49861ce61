"""The tus 1.0 server in-process: core, creation, creation-with-upload, checksum, termination, expiration."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sciport.core import storage
from sciport.core.errors import NotFound
from sciport.testing.fixtures import PASSWORD
from sciport.uploads import digests, services, staging
from sciport.uploads.models import Upload, UploadState
from sciport.uploads.tasks import expire_upload
from sciport.uploads.tests.tus_http import BASE, OFFSET_TYPE, checksum_header, metadata_header

pytestmark = pytest.mark.django_db
KIB = 1024
MIB = 1024 * KIB


def upload_of(url: str) -> Upload:
    return Upload.objects.get(public_id=url.rstrip("/").rsplit("/", 1)[-1])


def send_in_chunks(tus, url: str, content: bytes, chunk_size: int, algorithm: str | None = "sha256") -> None:
    for offset in range(0, len(content), chunk_size):
        chunk = content[offset : offset + chunk_size]
        answer = tus.patch(url, offset, chunk, checksum_header(chunk, algorithm) if algorithm else None)
        assert answer.status_code == 204, answer.content
        assert int(answer["Upload-Offset"]) == offset + len(chunk)


def test_options_tell_a_client_what_the_server_supports(make_user, tus_for, settings):
    settings.UPLOAD_MAX_BYTES = 5 * MIB
    answer = tus_for(make_user()).options()
    assert answer.status_code == 204
    assert answer["Tus-Resumable"] == "1.0.0"
    assert answer["Tus-Version"] == "1.0.0"
    assert set(answer["Tus-Extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "termination",
        "checksum",
        "expiration",
    }
    assert answer["Tus-Max-Size"] == str(5 * MIB)
    assert set(answer["Tus-Checksum-Algorithm"].split(",")) == {"sha1", "md5", "sha256"}


def test_chunks_with_checksums_land_in_storage_and_reach_the_target(make_user, tus_for, sink_target, any_storage):
    content = os.urandom(3 * MIB + 17)
    tus = tus_for(make_user())
    created = tus.create(len(content), {"filename": "séance.bin"})
    url = tus.url_of(created)
    assert url.startswith("/api/v1/uploads/upl_")  # a path: right behind any proxy
    assert created["Tus-Resumable"] == "1.0.0"
    assert created["Upload-Offset"] == "0"
    assert created["Upload-Expires"].endswith("GMT")

    send_in_chunks(tus, url, content, chunk_size=MIB + 5, algorithm="sha1")

    consumed = sink_target[0]
    assert consumed.sha256 == hashlib.sha256(content).hexdigest()
    assert consumed.md5 == hashlib.md5(content).hexdigest()  # noqa: S324
    assert consumed.size == len(content)
    assert b"".join(storage.open_chunks(consumed.storage_name)) == content
    status = tus.get(url).json()
    assert status["state"] == "consumed"
    assert status["metadata"] == {"filename": "séance.bin"}
    assert status["sha256"] == consumed.sha256
    assert not any(staging.path(upload_of(url).public_id).parent.iterdir())
    head = tus.head(url)
    assert head["Upload-Offset"] == head["Upload-Length"] == str(len(content))


def test_creation_with_upload_keeps_the_first_chunk(make_user, tus_for, sink_target):
    content = os.urandom(2 * MIB)
    tus = tus_for(make_user())
    created = tus.create(len(content), body=content[:MIB], **{"Upload-Checksum": checksum_header(content[:MIB], "md5")})
    url = tus.url_of(created)
    assert created["Upload-Offset"] == str(MIB)

    tus.patch(url, MIB, content[MIB:])

    assert sink_target[0].sha256 == hashlib.sha256(content).hexdigest()


def test_an_empty_file_is_complete_on_creation(make_user, tus_for, sink_target):
    created = tus_for(make_user()).create(0)
    assert created.status_code == 201
    assert sink_target[0].sha256 == hashlib.sha256(b"").hexdigest()


def test_a_wrong_checksum_is_460_and_nothing_of_the_chunk_is_kept(make_user, tus_for, sink_target, any_storage):
    content = os.urandom(2 * MIB)
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(len(content)))
    tus.patch(url, 0, content[:MIB])

    refused = tus.patch(url, MIB, content[MIB:], checksum_header(b"something else"))

    assert refused.status_code == 460
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:sciport:problem:checksum-mismatch"
    assert tus.head(url)["Upload-Offset"] == str(MIB)
    assert staging.path(upload_of(url).public_id).stat().st_size == MIB
    assert list(storage.list_names("uploads/")) == []
    assert sink_target == []
    tus.patch(url, MIB, content[MIB:], checksum_header(content[MIB:]))
    assert sink_target[0].sha256 == hashlib.sha256(content).hexdigest()


def test_an_unknown_or_malformed_checksum_is_400(make_user, tus_for, sink_target):
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(10))
    assert tus.patch(url, 0, b"0123456789", "crc32 AAAA").status_code == 400
    assert tus.patch(url, 0, b"0123456789", "sha1 not-base64!").status_code == 400
    assert tus.head(url)["Upload-Offset"] == "0"


def test_a_chunk_at_the_wrong_offset_is_409(make_user, tus_for, sink_target):
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(100))
    tus.patch(url, 0, b"x" * 40)

    answer = tus.patch(url, 30, b"y" * 10)

    assert answer.status_code == 409
    assert tus.head(url)["Upload-Offset"] == "40"


def test_a_chunk_that_is_not_offset_octet_stream_is_415(make_user, tus_for, sink_target):
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(10))
    answer = tus.patch(url, 0, b"0123456789", **{"Content-Type": "application/json"})
    assert answer.status_code == 415
    assert answer["Tus-Resumable"] == "1.0.0"


def test_more_than_the_server_takes_is_413_naming_the_limit(make_user, tus_for, sink_target, settings):
    settings.UPLOAD_MAX_BYTES = 10 * MIB
    answer = tus_for(make_user()).create(10 * MIB + 1, **{"Accept-Language": "en"})
    assert answer.status_code == 413
    assert answer.json()["detail"] == "Uploads may hold at most 10.0\xa0MB."
    chinese = tus_for(make_user()).create(10 * MIB + 1, **{"Accept-Language": "zh-Hans"}).json()
    assert "10.0" in chinese["detail"]
    assert chinese["title"] != answer.json()["title"]
    assert not Upload.objects.exists()


def test_more_than_the_targets_quota_is_413_with_the_targets_message(make_user, tus_for, sink_target):
    answer = tus_for(make_user()).create(2 * MIB, {"quota": str(MIB)})
    assert answer.status_code == 413
    assert answer.json()["detail"] == "The sink quota is 1.0\xa0MB."
    assert not Upload.objects.exists()


def test_a_chunk_past_the_announced_length_is_413(make_user, tus_for, sink_target):
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(10))
    assert tus.patch(url, 0, b"x" * 11).status_code == 413
    assert tus.head(url)["Upload-Offset"] == "0"


def test_a_target_may_refuse_at_creation(make_user, tus_for, sink_target):
    assert tus_for(make_user()).create(10, {"refuse": "yes"}).status_code == 403
    assert not Upload.objects.exists()


def test_bad_creation_headers_are_refused(make_user, tus_for, sink_target):
    tus = tus_for(make_user())
    assert tus.create(10, **{"Upload-Length": "ten"}).status_code == 400
    assert tus._send("POST", BASE, None, {"Upload-Metadata": metadata_header({"target": "sink"})}).status_code == 400
    assert tus.create(10, **{"Upload-Metadata": "target c2luaw==,filename ***"}).status_code == 400
    unknown = tus._send("POST", BASE, None, {"Upload-Length": "10", "Upload-Metadata": metadata_header({"target": "moon"})})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "target"
    assert not Upload.objects.exists()


def test_another_persons_upload_does_not_exist_for_me(make_user, tus_for, sink_target):
    alice, bob = tus_for(make_user()), tus_for(make_user())
    url = alice.url_of(alice.create(10))

    assert bob.head(url).status_code == 404
    assert bob.patch(url, 0, b"0123456789").status_code == 404
    assert bob.delete(url).status_code == 404
    assert bob.get(url).status_code == 404
    assert alice.head(url)["Upload-Offset"] == "0"


def test_the_services_refuse_someone_elses_upload_too(make_user, tus_for, sink_target):
    alice, bob = make_user(), make_user()
    upload = upload_of(tus_for(alice).url_of(tus_for(alice).create(10)))

    with pytest.raises(NotFound):
        services.upload_append(actor=bob, upload=upload, offset=0, read=io.BytesIO(b"0123456789").read, count=10, checksum=None)
    with pytest.raises(NotFound):
        services.upload_terminate(actor=bob, upload=upload)
    assert upload_of(f"/{upload.public_id}").state == UploadState.RECEIVING


def test_every_answer_carries_tus_resumable_and_other_versions_get_412(make_user, tus_for, sink_target, client):
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(10))
    assert client.head(url)["Tus-Resumable"] == "1.0.0"  # 401, no credentials
    assert client.head(url).status_code == 401
    assert tus.head(url + "x")["Tus-Resumable"] == "1.0.0"  # 404

    old = tus.patch(url, 0, b"0123456789", **{"Tus-Resumable": "0.2.2"})

    assert old.status_code == 412
    assert old["Tus-Version"] == "1.0.0"
    assert tus.head(url)["Upload-Offset"] == "0"


def test_termination_frees_the_staged_bytes(make_user, tus_for, sink_target):
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(100))
    tus.patch(url, 0, b"x" * 50)

    assert tus.delete(url).status_code == 204

    assert tus.head(url).status_code == 404
    assert tus.patch(url, 50, b"x" * 50).status_code == 404
    assert upload_of(url).state == UploadState.TERMINATED
    assert not staging.path(upload_of(url).public_id).exists()


def test_a_consumed_upload_cannot_be_terminated(make_user, tus_for, sink_target):
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(4))
    tus.patch(url, 0, b"done")
    assert tus.delete(url).status_code == 409
    assert storage.exists(sink_target[0].storage_name)


def test_an_expired_partial_upload_is_purged(make_user, tus_for, sink_target, settings, django_capture_on_commit_callbacks):
    settings.UPLOAD_EXPIRY_HOURS = 2
    tus = tus_for(make_user())
    with django_capture_on_commit_callbacks(execute=True):
        url = tus.url_of(tus.create(100))
    upload = upload_of(url)
    scheduled = DBTaskResult.objects.get(task_path="sciport.uploads.tasks.expire_upload")
    assert scheduled.args_kwargs["args"] == [upload.public_id]
    assert scheduled.run_after == upload.expires_at
    assert timedelta(hours=2) - (upload.expires_at - timezone.now()) < timedelta(minutes=1)
    tus.patch(url, 0, b"x" * 50)

    expire_upload.call(upload.public_id)  # not yet due: looked at again later
    assert upload_of(url).state == UploadState.RECEIVING
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expire_upload.call(upload.public_id)

    assert upload_of(url).state == UploadState.EXPIRED
    assert not staging.path(upload.public_id).exists()
    assert tus.head(url).status_code == 404


def test_a_finished_upload_the_target_refused_is_deleted_when_it_expires(make_user, tus_for, sink_target):
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(4, {"on_complete": "refuse"}))

    refused = tus.patch(url, 0, b"data")

    assert refused.status_code == 409
    assert refused.json()["detail"] == "the sink is full"
    upload = upload_of(url)
    assert upload.state == UploadState.COMPLETE
    assert storage.exists(upload.storage_name)
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now())
    expire_upload.call(upload.public_id)
    assert not storage.exists(upload.storage_name)
    assert upload_of(url).state == UploadState.EXPIRED


def test_a_second_writer_on_the_same_upload_is_refused_with_423(make_user, tus_for, sink_target):
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(10))

    with staging.locked(upload_of(url).public_id):  # as a request in another worker process holds it
        answer = tus.patch(url, 0, b"0123456789")

    assert answer.status_code == 423
    assert tus.head(url)["Upload-Offset"] == "0"
    assert tus.patch(url, 0, b"0123456789").status_code == 204


def test_bytes_past_the_recorded_offset_are_cut_before_the_next_chunk(make_user, tus_for, sink_target):
    content = os.urandom(3 * MIB)
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(len(content)))
    tus.patch(url, 0, content[:MIB])
    with open(staging.path(upload_of(url).public_id), "ab") as staged:  # a server killed mid-chunk left these
        staged.write(b"garbage" * 1000)

    tus.patch(url, MIB, content[MIB:])

    assert sink_target[0].sha256 == hashlib.sha256(content).hexdigest()


def test_hashes_are_recomputed_from_the_staged_bytes_when_this_process_has_no_state(make_user, tus_for, sink_target):
    content = os.urandom(3 * MIB)
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(len(content)))
    tus.patch(url, 0, content[:MIB])
    digests._cache.clear()  # as after a restart, or when the next chunk reaches another worker

    tus.patch(url, MIB, content[MIB:])

    assert sink_target[0].sha256 == hashlib.sha256(content).hexdigest()
    assert sink_target[0].md5 == hashlib.md5(content).hexdigest()  # noqa: S324


def test_lost_staged_bytes_send_the_client_back_to_what_is_there(make_user, tus_for, sink_target):
    content = os.urandom(2 * MIB)
    tus = tus_for(make_user())
    url = tus.url_of(tus.create(len(content)))
    tus.patch(url, 0, content[:MIB])
    os.truncate(staging.path(upload_of(url).public_id), 1000)  # the disk lost what the database counted

    assert tus.patch(url, MIB, content[MIB:]).status_code == 409
    assert tus.head(url)["Upload-Offset"] == "1000"
    tus.patch(url, 1000, content[1000:])
    assert sink_target[0].sha256 == hashlib.sha256(content).hexdigest()


def test_a_browser_session_writes_with_the_csrf_token_only(make_user, sink_target):
    user = make_user()
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(email=user.email, password=PASSWORD)
    browser.get("/")
    headers = {"Tus-Resumable": "1.0.0", "Upload-Length": "4", "Upload-Metadata": metadata_header({"target": "sink"})}

    assert browser.post(BASE, headers=headers).status_code == 403
    created = browser.post(BASE, headers={**headers, "X-CSRFToken": browser.cookies["csrftoken"].value})
    assert created.status_code == 201
    url = created["Location"]
    csrf = {"X-CSRFToken": browser.cookies["csrftoken"].value, "Upload-Offset": "0", "Tus-Resumable": "1.0.0"}
    assert browser.patch(url, b"data", content_type=OFFSET_TYPE, headers={**csrf, "X-CSRFToken": "wrong"}).status_code == 403
    assert browser.patch(url, b"data", content_type=OFFSET_TYPE, headers=csrf).status_code == 204
    assert browser.head(url)["Upload-Offset"] == "4"
