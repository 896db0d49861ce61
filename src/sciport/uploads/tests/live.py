"""A real ``sciport serve`` process on the test database, and a loopback proxy that cuts or stalls an upload.

The server runs the test settings plus the sink target (``live_settings``), on a free
loopback port, with the test's database and storage, so a test may kill it with
SIGKILL mid-upload and start it again on the same port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from sciport.testing.s3 import S3_REGION, StorageUnderTest

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    """The test database, as SCIPORT_DATABASE_URL for another process."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = quote(database["USER"] or "") + (f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else "")
    return f"postgres://{credentials}@{database['HOST'] or HOST}:{database['PORT'] or 5432}/{database['NAME']}"


def storage_url(under_test: StorageUnderTest) -> str:
    if under_test.kind == "s3":
        assert under_test.server is not None
        return f"s3://{under_test.location}?endpoint={under_test.server.endpoint_url}&region={S3_REGION}"
    return f"file://{under_test.location}"


@dataclass
class LiveServer:
    port: int
    environment: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sciport", "serve"],
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: granian and its workers die together
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sciport serve exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"sciport serve did not answer within {START_TIMEOUT_SECONDS} s:\n{self.log_tail()}")

    def kill(self, signal_number: int = signal.SIGKILL) -> None:
        """Signal the whole process group (server, granian, workers) and wait for the server to go."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal_number)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError):  # workers that outlived their parent
            os.killpg(self.process.pid, signal.SIGKILL)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""


def live_server_for(var_dir: Path, staging_dir: Path, storage: StorageUnderTest) -> LiveServer:
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sciport.uploads.tests.live_settings",
        "SCIPORT_VAR_DIR": str(var_dir),
        "SCIPORT_DATABASE_URL": database_url(),
        "SCIPORT_STORAGE_URL": storage_url(storage),
        "SCIPORT_UPLOAD_DIR": str(staging_dir),
        "SCIPORT_HOST": HOST,
        "SCIPORT_PORT": str(port),
        "SCIPORT_WORKERS": "1",
        "SCIPORT_LOG_LEVEL": "WARNING",
    }
    var_dir.mkdir(parents=True, exist_ok=True)
    return LiveServer(port=port, environment=environment, log_path=var_dir / "server.log")


@dataclass
class FaultyProxy:
    """Forwards loopback TCP to ``upstream_port``; once armed, cuts or stalls the client's bytes after a count.

    ``cut`` closes both sides, as a dropped network link; ``stall`` stops forwarding and
    holds the connection open until ``release()``, so the server sits mid-request.
    """

    upstream_port: int
    listener: socket.socket = field(init=False)
    tripped: threading.Event = field(default_factory=threading.Event)
    _released: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _budget: int | None = None
    _mode: str = "cut"

    def __post_init__(self) -> None:
        self.listener = socket.create_server((HOST, 0))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    def arm(self, after_bytes: int, mode: str) -> None:
        with self._lock:
            self._budget, self._mode = after_bytes, mode
            self.tripped.clear()
            self._released.clear()

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self._released.set()
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection((HOST, self.upstream_port))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _allowance(self, size: int) -> tuple[int, bool]:
        """How many of ``size`` bytes may pass, and whether the fault happens after them."""
        with self._lock:
            if self._budget is None:
                return size, False
            allowed = min(size, self._budget)
            self._budget -= allowed
            if self._budget > 0:
                return allowed, False
            self._budget = None
            self.tripped.set()
            return allowed, True

    def _pump(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        try:
            while data := source.recv(1024 * 1024):
                allowed, fault = self._allowance(len(data)) if from_client else (len(data), False)
                sink.sendall(data[:allowed])
                if fault:
                    if self._mode == "stall":
                        self._released.wait(timeout=120)
                    break
        except OSError:
            pass
        finally:
            for side in (source, sink):
                with contextlib.suppress(OSError):
                    side.shutdown(socket.SHUT_RDWR)
                side.close()
