"""tuspy against a real ``sciport serve``: a cut connection, a server killed with SIGKILL, then resumed uploads.

The 200 MB file is sent in 16 MiB chunks with ``upload_checksum=True`` (SHA-1 per chunk),
so a chunk cut short is discarded whole and the upload resumes at a chunk boundary.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pytest
import requests
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

from sciport.accounts import services as accounts
from sciport.core import storage
from sciport.testing.s3 import StorageUnderTest
from sciport.uploads import staging
from sciport.uploads.errors import UploadLocked
from sciport.uploads.models import Upload, UploadState
from sciport.uploads.tests.live import HOST, FaultyProxy, LiveServer, live_server_for
from sciport.uploads.tests.tus_http import checksum_header

MIB = 1024 * 1024
BIG_SIZE = 200 * 1000 * 1000
CHUNK_SIZE = 16 * MIB


@dataclass(frozen=True)
class BigFile:
    path: Path
    sha256: str


@pytest.fixture(scope="session")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> BigFile:
    path = tmp_path_factory.mktemp("big") / "measurements.bin"
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        for start in range(0, BIG_SIZE, 8 * MIB):
            piece = os.urandom(min(8 * MIB, BIG_SIZE - start))
            digest.update(piece)
            handle.write(piece)
    return BigFile(path, digest.hexdigest())


@pytest.fixture
def server(transactional_db: None, tmp_path: Path, staging_folder: Path, any_storage: StorageUnderTest) -> Iterator[LiveServer]:
    live = live_server_for(tmp_path / "server-var", staging_folder, any_storage)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def token(make_user: Callable[..., Any]) -> str:
    return accounts.token_create(actor=make_user(), name="tuspy", scopes=["read", "write"], expires_in_days=1).secret


@pytest.fixture
def proxy_to(request: pytest.FixtureRequest) -> Callable[[LiveServer], FaultyProxy]:
    def make(server: LiveServer) -> FaultyProxy:
        proxy = FaultyProxy(server.port)
        request.addfinalizer(proxy.close)
        return proxy

    return make


@pytest.fixture
def big_stream(big_file: BigFile) -> Iterator[BinaryIO]:
    with big_file.path.open("rb") as stream:
        yield stream


def uploader(port: int, token: str, stream: BinaryIO, url: str | None = None) -> Any:
    """tuspy with a SHA-1 checksum on every chunk; a resuming one retries, as a 423 may meet it while the server
    is still reading the cut request."""
    tus = tus_client.TusClient(f"http://{HOST}:{port}/api/v1/uploads/", headers={"Authorization": f"Bearer {token}"})
    return tus.uploader(
        file_stream=stream,
        url=url,
        chunk_size=CHUNK_SIZE,
        metadata={"target": "sink", "filename": "measurements.bin"},
        upload_checksum=True,
        retries=5 if url else 0,
        retry_delay=0.2,
    )


def upload_at(url: str) -> Upload:
    return Upload.objects.get(public_id=url.rstrip("/").rsplit("/", 1)[-1])


def assert_stored_intact(url: str, big: BigFile) -> None:
    upload = upload_at(url)
    assert upload.state == UploadState.CONSUMED
    assert (upload.offset, upload.sha256) == (BIG_SIZE, big.sha256)
    assert storage.checksum(upload.storage_name).sha256 == big.sha256


def test_tuspy_resumes_after_the_connection_is_cut(
    server: LiveServer, token: str, big_file: BigFile, big_stream: BinaryIO, proxy_to: Callable[[LiveServer], FaultyProxy]
) -> None:
    proxy = proxy_to(server)
    first = uploader(proxy.port, token, big_stream)
    first.set_url(first.create_url())
    proxy.arm(after_bytes=100 * MIB + 12345, mode="cut")

    with pytest.raises(TusCommunicationError):
        first.upload()

    kept = upload_at(first.url).offset
    assert kept == 6 * CHUNK_SIZE  # the cut chunk carried a checksum, so none of it was kept
    resumed = uploader(proxy.port, token, big_stream, url=first.url)
    assert resumed.offset == kept
    resumed.upload()
    assert_stored_intact(first.url, big_file)


def test_tuspy_resumes_after_the_server_is_killed_mid_chunk(
    server: LiveServer, token: str, big_file: BigFile, big_stream: BinaryIO, proxy_to: Callable[[LiveServer], FaultyProxy]
) -> None:
    proxy = proxy_to(server)
    first = uploader(proxy.port, token, big_stream)
    first.set_url(first.create_url())
    staged = staging.path(upload_at(first.url).public_id)
    proxy.arm(after_bytes=3 * CHUNK_SIZE + 9 * MIB, mode="stall")
    failures: list[Exception] = []
    sending = threading.Thread(target=upload_noting_failure, args=(first, failures), daemon=True)
    sending.start()
    assert proxy.tripped.wait(timeout=60)
    assert wait_for_staged_bytes(upload_at(first.url).public_id, 3 * CHUNK_SIZE + 8 * MIB)  # what reached the server

    server.kill()  # SIGKILL mid-chunk
    proxy.release()
    sending.join(timeout=30)

    assert isinstance(failures[0], TusCommunicationError)
    assert upload_at(first.url).offset == 3 * CHUNK_SIZE
    assert staged.stat().st_size > 3 * CHUNK_SIZE  # bytes of the chunk the database never counted
    server.start()
    resumed = uploader(proxy.port, token, big_stream, url=first.url)
    assert resumed.offset == 3 * CHUNK_SIZE
    resumed.upload()
    assert_stored_intact(first.url, big_file)


@pytest.mark.parametrize("any_storage", ["local"], indirect=True)
def test_a_cut_chunk_keeps_its_bytes_unless_it_carried_a_checksum(server: LiveServer, token: str) -> None:
    content = os.urandom(4 * MIB)
    headers = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    urls = []
    for _ in range(2):
        created = requests.post(
            f"{server.url}/api/v1/uploads/",
            headers={**headers, "Upload-Length": str(len(content)), "Upload-Metadata": "target c2luaw=="},
            timeout=10,
        )
        urls.append(server.url + created.headers["Location"])

    for url, checksum in zip(urls, [None, checksum_header(content, "sha1")], strict=True):
        send_cut_patch(url, token, content, sent=MIB + MIB // 2, checksum=checksum)

    assert wait_for_offset(urls[0], headers, MIB + MIB // 2)
    checksummed = upload_at(urls[1]).public_id
    assert wait_until_unlocked(checksummed)
    assert requests.head(urls[1], headers=headers, timeout=10).headers["Upload-Offset"] == "0"
    assert staging.path(checksummed).stat().st_size == 0


@pytest.mark.parametrize("any_storage", ["local"], indirect=True)
def test_a_second_patch_on_an_upload_being_written_is_refused(server: LiveServer, token: str) -> None:
    content = os.urandom(2 * MIB)
    headers = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    created = requests.post(
        f"{server.url}/api/v1/uploads/",
        headers={**headers, "Upload-Length": str(len(content)), "Upload-Metadata": "target c2luaw=="},
        timeout=10,
    )
    url = server.url + created.headers["Location"]
    slow = patch_socket(url, token, len(content))
    slow.sendall(content[:MIB])
    assert wait_for_staged_bytes(upload_at(url).public_id, MIB)

    second = requests.patch(
        url,
        data=content,
        headers={**headers, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        timeout=10,
    )

    assert second.status_code == 423
    slow.sendall(content[MIB:])
    assert slow.recv(4096).startswith(b"HTTP/1.1 204 ")
    slow.close()
    assert upload_at(url).sha256 == hashlib.sha256(content).hexdigest()


def upload_noting_failure(upload: Any, failures: list[Exception]) -> None:
    try:
        upload.upload()
    except TusCommunicationError as failure:
        failures.append(failure)


def patch_socket(url: str, token: str, length: int, checksum: str | None = None) -> socket.socket:
    """A PATCH whose body the test sends by hand, as slowly or as incompletely as it likes."""
    path = "/" + url.split("/", 3)[3]
    port = int(url.split("/")[2].split(":")[1])
    lines = [
        f"PATCH {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        f"Authorization: Bearer {token}",
        "Tus-Resumable: 1.0.0",
        "Upload-Offset: 0",
        "Content-Type: application/offset+octet-stream",
        f"Content-Length: {length}",
        *([f"Upload-Checksum: {checksum}"] if checksum else []),
    ]
    connection = socket.create_connection((HOST, port))
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return connection


def send_cut_patch(url: str, token: str, content: bytes, *, sent: int, checksum: str | None) -> None:
    connection = patch_socket(url, token, len(content), checksum)
    connection.sendall(content[:sent])
    time.sleep(0.2)
    connection.close()


def wait_for_offset(url: str, headers: dict[str, str], offset: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if requests.head(url, headers=headers, timeout=10).headers["Upload-Offset"] == str(offset):
            return True
        time.sleep(0.05)
    return False


def wait_until_unlocked(public_id: str) -> bool:
    """True once no request holds the upload (the server finished with the chunk)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with staging.locked(public_id):
                return True
        except UploadLocked:
            time.sleep(0.05)
    return False


def wait_for_staged_bytes(public_id: str, size: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if staging.path(public_id).exists() and staging.path(public_id).stat().st_size >= size:
            return True
        time.sleep(0.05)
    return False
