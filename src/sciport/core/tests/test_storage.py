"""core.storage on local disk and on S3 (SeaweedFS): streaming, checksums, listing, presigned URLs."""

from __future__ import annotations

import hashlib
import io
import random
import time
import tracemalloc
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.core.files.storage import storages

from sciport.core import storage
from sciport.testing.s3 import StorageUnderTest

MB = 1024 * 1024


def pseudo_random_chunks(total_bytes: int, chunk_size: int = MB, seed: int = 7) -> Iterator[bytes]:
    """Deterministic, incompressible bytes produced a chunk at a time, never held whole."""
    generator = random.Random(seed)  # noqa: S311 - test data, not a secret
    remaining = total_bytes
    while remaining > 0:
        size = min(chunk_size, remaining)
        yield generator.randbytes(size)
        remaining -= size


def sha256_of(chunks: Iterator[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def test_streamed_write_reports_size_and_sha256_of_what_was_stored(any_storage: StorageUnderTest) -> None:
    # Odd-sized pieces: the writer must regroup them into full S3 parts.
    expected_size, expected_sha = sha256_of(pseudo_random_chunks(21 * MB + 123, chunk_size=700_001))

    stored = storage.write("datasets/ds_1/big.bin", pseudo_random_chunks(21 * MB + 123, chunk_size=700_001))

    assert stored == storage.StoredObject(name="datasets/ds_1/big.bin", size=expected_size, sha256=expected_sha)
    assert storage.size("datasets/ds_1/big.bin") == expected_size
    assert storage.checksum("datasets/ds_1/big.bin") == stored


def test_streamed_read_yields_the_same_bytes_in_bounded_chunks(any_storage: StorageUnderTest) -> None:
    original = b"".join(pseudo_random_chunks(3 * MB + 5, seed=11))
    storage.write("a/file.bin", io.BytesIO(original))

    chunks = list(storage.open_chunks("a/file.bin", chunk_size=256 * 1024))

    assert b"".join(chunks) == original
    assert max(len(chunk) for chunk in chunks) <= 256 * 1024
    assert len(chunks) >= 12


def test_fifty_megabytes_move_through_without_being_held_in_memory(any_storage: StorageUnderTest) -> None:
    total = 50 * MB
    expected_size, expected_sha = sha256_of(pseudo_random_chunks(total))
    storage.write("warm-up", [b"x"])  # clients, connection pools and imports are not what we measure
    list(storage.open_chunks("warm-up"))

    tracemalloc.start()
    try:
        stored = storage.write("big/fifty.bin", pseudo_random_chunks(total))
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        read_size, read_sha = sha256_of(storage.open_chunks("big/fifty.bin"))
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (stored.size, stored.sha256) == (expected_size, expected_sha)
    assert (read_size, read_sha) == (expected_size, expected_sha)
    assert write_peak < total * 0.6, f"write peaked at {write_peak / MB:.1f} MB"
    assert read_peak < 8 * MB, f"read peaked at {read_peak / MB:.1f} MB"


def test_writing_an_existing_name_replaces_the_object(any_storage: StorageUnderTest) -> None:
    storage.write("notes.txt", io.BytesIO(b"first version"))

    stored = storage.write("notes.txt", io.BytesIO(b"second"))

    assert b"".join(storage.open_chunks("notes.txt")) == b"second"
    assert stored.size == 6
    assert list(storage.list_names()) == ["notes.txt"]


def test_empty_source_stores_an_empty_object(any_storage: StorageUnderTest) -> None:
    stored = storage.write("empty", [])

    assert stored.size == 0
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()
    assert list(storage.open_chunks("empty")) == []
    assert storage.exists("empty")


def test_exists_delete_and_list_by_prefix(any_storage: StorageUnderTest) -> None:
    for name in ("a/1.txt", "a/2.txt", "ab/3.txt", "b/deep/4.txt"):
        storage.write(name, io.BytesIO(name.encode()))

    assert sorted(storage.list_names()) == ["a/1.txt", "a/2.txt", "ab/3.txt", "b/deep/4.txt"]
    assert sorted(storage.list_names("a/")) == ["a/1.txt", "a/2.txt"]
    assert sorted(storage.list_names("a")) == ["a/1.txt", "a/2.txt", "ab/3.txt"]
    assert sorted(storage.list_names("b/de")) == ["b/deep/4.txt"]
    assert list(storage.list_names("missing/")) == []

    storage.delete("a/1.txt")
    storage.delete("a/1.txt")  # deleting twice is not an error

    assert not storage.exists("a/1.txt")
    assert storage.exists("a/2.txt")
    assert sorted(storage.list_names("a/")) == ["a/2.txt"]


def test_missing_objects_raise_file_not_found(any_storage: StorageUnderTest) -> None:
    with pytest.raises(FileNotFoundError):
        storage.size("nothing/here")
    with pytest.raises(FileNotFoundError):
        storage.open_chunks("nothing/here")
    with pytest.raises(FileNotFoundError):
        storage.checksum("nothing/here")


def test_listing_goes_past_one_page_of_results(any_storage: StorageUnderTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "S3_LIST_PAGE_SIZE", 7)  # S3 pages hold 1000 keys; 7 makes three pages of 20 cheaply
    names = {f"many/{number:02d}" for number in range(20)}
    for name in names:
        storage.write(name, [b"."])

    list_requests = []
    if any_storage.kind == "s3":
        client = storages["default"].connection.meta.client
        client.meta.events.register("after-call.s3.ListObjectsV2", lambda **_event: list_requests.append(1))

    assert set(storage.list_names("many/")) == names
    assert len(list(storage.list_names())) == 20
    if any_storage.kind == "s3":
        assert len(list_requests) == 6  # three pages for each listing


@pytest.mark.parametrize(
    "name",
    ["../escape", "a/../../escape", "/etc/passwd", "a//b", "a/./b", "a/", "", "a\\b", "a\x00b", ".partial/x", "x" * 1025],
)
def test_unsafe_names_are_refused(any_storage: StorageUnderTest, name: str) -> None:
    with pytest.raises(storage.InvalidName):
        storage.write(name, io.BytesIO(b"data"))
    with pytest.raises(storage.InvalidName):
        storage.exists(name)
    with pytest.raises(storage.InvalidName):
        storage.delete(name)
    assert list(storage.list_names()) == []


def test_check_passes_on_a_usable_store(any_storage: StorageUnderTest) -> None:
    storage.check()


def test_check_names_a_missing_bucket_until_it_is_created(s3_storage: StorageUnderTest) -> None:
    default = s3_storage.settings.STORAGES["default"]
    bucket = f"{s3_storage.location}-other"
    s3_storage.settings.STORAGES = {
        **s3_storage.settings.STORAGES,
        "default": {**default, "OPTIONS": {**default["OPTIONS"], "bucket_name": bucket}},
    }
    s3_storage.created_buckets.append(bucket)

    with pytest.raises(storage.StorageUnavailable, match=bucket):
        storage.check()
    storage.ensure_bucket()
    storage.check()


def test_check_creates_a_missing_folder_and_names_one_that_cannot_be(local_storage: StorageUnderTest, tmp_path) -> None:
    default = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "new" / "files")}}
    local_storage.settings.STORAGES = {**local_storage.settings.STORAGES, "default": default}
    storage.check()
    assert (tmp_path / "new" / "files").is_dir()

    (tmp_path / "a-file").write_text("where the folder should be")
    default = {**default, "OPTIONS": {"location": str(tmp_path / "a-file")}}
    local_storage.settings.STORAGES = {**local_storage.settings.STORAGES, "default": default}
    with pytest.raises(storage.StorageUnavailable, match="a-file"):
        storage.check()


def test_local_disk_has_no_presigned_urls(local_storage: StorageUnderTest) -> None:
    storage.write("a.txt", io.BytesIO(b"a"))

    assert storage.presigned_url("a.txt", expires_seconds=60) is None


def test_presigned_url_downloads_the_exact_bytes_under_the_given_name(s3_storage: StorageUnderTest) -> None:
    original = b"".join(pseudo_random_chunks(2 * MB + 17, seed=3))
    storage.write("datasets/ds_9/raw.bin", io.BytesIO(original))

    url = storage.presigned_url("datasets/ds_9/raw.bin", expires_seconds=300, download_name="测量 数据.bin")
    assert url is not None
    response = requests.get(url, timeout=30)

    assert response.status_code == 200
    assert response.content == original
    assert "attachment" in response.headers["Content-Disposition"]
    assert "filename*=utf-8''%E6%B5%8B%E9%87%8F%20%E6%95%B0%E6%8D%AE.bin" in response.headers["Content-Disposition"]


def test_presigned_url_with_an_altered_signature_is_refused(s3_storage: StorageUnderTest) -> None:
    storage.write("secret.bin", io.BytesIO(b"only for the holder of the link"))
    url = storage.presigned_url("secret.bin", expires_seconds=300)
    assert url is not None
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    signature = query["X-Amz-Signature"]
    query["X-Amz-Signature"] = ("0" if signature[0] != "0" else "1") + signature[1:]

    response = requests.get(urlunsplit(parts._replace(query=urlencode(query))), timeout=30)

    assert response.status_code == 403
    assert b"only for the holder" not in response.content


def test_presigned_url_for_another_object_is_refused(s3_storage: StorageUnderTest) -> None:
    storage.write("public.bin", io.BytesIO(b"public"))
    storage.write("private.bin", io.BytesIO(b"private"))
    url = storage.presigned_url("public.bin", expires_seconds=300)
    assert url is not None

    response = requests.get(url.replace("/public.bin?", "/private.bin?"), timeout=30)

    assert response.status_code == 403


def test_expired_presigned_url_is_refused(s3_storage: StorageUnderTest) -> None:
    storage.write("soon-gone.bin", io.BytesIO(b"data"))
    url = storage.presigned_url("soon-gone.bin", expires_seconds=1)
    assert url is not None

    time.sleep(2.1)
    response = requests.get(url, timeout=30)

    assert response.status_code == 403


@pytest.mark.parametrize("seconds", [0, -5, storage.PRESIGN_MAX_SECONDS + 1])
def test_presigned_url_lifetime_must_be_within_the_signature_limit(s3_storage: StorageUnderTest, seconds: int) -> None:
    with pytest.raises(ValueError, match="expires_seconds"):
        storage.presigned_url("any.bin", expires_seconds=seconds)
