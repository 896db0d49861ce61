"""What every benchmark needs: a fresh var dir, Django set up in it, ``sciport serve`` on a loopback port, results on disk."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def fresh_var_dir(prefix: str) -> Path:
    """A new temporary var dir, made the one sciport (and the server started from here) uses, with debug off."""
    var_dir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["SCIPORT_VAR_DIR"] = str(var_dir)
    os.environ["SCIPORT_DEBUG"] = "false"
    return var_dir


def setup_django(*, cache_table: bool) -> str:
    """Migrate the var dir (and create the cache table if asked), then set Django up in this process; returns the database vendor."""
    commands = [["migrate", "--no-input", "-v0"]] + ([["createcachetable"]] if cache_table else [])
    for command in commands:
        subprocess.run([sys.executable, "-m", "sciport", *command], check=True, cwd=ROOT, env=os.environ.copy())
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciport.settings")
    django.setup()
    from django.db import connection

    return connection.vendor


def auto_publishing_community(email: str) -> tuple[Any, Any]:
    """A verified person who administers an organisation with an auto-publish community; returns (person, community)."""
    from sciport.accounts import services as accounts
    from sciport.datasets.models import ReviewPolicy
    from sciport.datasets.services import lifecycle

    person = accounts.user_create_verified(
        email=email, password="bench-password-not-secret-7", display_name="Bench", language="en"
    )
    organisation = accounts.organisation_create(actor=person, fields={"kind": "institution", "name_en": "Bench Institute"})
    community = lifecycle.community_create(
        actor=person,
        organisation=organisation,
        fields={"slug": "bench", "name_en": "Bench", "review_policy": ReviewPolicy.AUTO_PUBLISH},
    )
    return person, community


def percentile(ordered: list[float], fraction: float) -> float:
    """The value at ``fraction`` of an ascending list (nearest rank); NaN for an empty one."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_ms(samples_ms: list[float], *, digits: int = 2) -> dict[str, float]:
    """``p50_ms``, ``p95_ms`` and ``p99_ms`` of timings in milliseconds, rounded to ``digits``."""
    ordered = sorted(samples_ms)
    return {f"p{round(fraction * 100)}_ms": round(percentile(ordered, fraction), digits) for fraction in (0.50, 0.95, 0.99)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(port: int, workers: int, log_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SCIPORT_PORT": str(port),
        "SCIPORT_HOST": HOST,
        "SCIPORT_WORKERS": str(workers),
        "SCIPORT_LOG_LEVEL": "WARNING",
    }
    log = log_path.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "sciport", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop granian and every worker it forked: the whole process group, TERM then KILL."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)
    except ProcessLookupError:
        pass
    with contextlib.suppress(ProcessLookupError):  # workers that outlived their parent still carry the group id
        os.killpg(server.pid, signal.SIGKILL)


def wait_until_up(port: int, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode} before answering")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer /healthz within {timeout:.0f} s")


@contextlib.contextmanager
def serving(workers: int, log_path: Path) -> Iterator[int]:
    """``sciport serve`` on a free loopback port, answering /healthz; yields the port and stops the server after."""
    port = free_port()
    server = start_server(port, workers, log_path)
    try:
        wait_until_up(port, server)
        yield port
    finally:
        stop_server(server)


def granian_version() -> str:
    from importlib.metadata import version

    return version("granian")


def server_description(workers: int) -> str:
    return f"granian {granian_version()} (WSGI) via sciport serve, {workers} workers"


def machine_facts(database: str, **more: str) -> dict[str, Any]:
    """The facts about this machine that every results file records."""
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": database,
        **more,
    }


def write_results(output: Path, summary: dict[str, Any]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(summary, indent=2) + "\n")


def print_server_log_tail(log_path: Path, lines: int = 30) -> None:
    if log_path.exists():
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
        print("server log (tail):\n" + tail, file=sys.stderr)
