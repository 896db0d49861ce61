"""Throughput of a 1 GiB tus upload by tuspy to ``sciport serve``, against two baselines measured in the same run.

tuspy sends the file in 64 MiB chunks with ``upload_checksum=True`` (a SHA-1 per chunk,
which sciport verifies) to ``sciport serve`` on the embedded defaults (SQLite, local
files, a temporary var dir). sciport also computes the SHA-256 and MD5 of the whole
file as it arrives, and stores it. The baselines, on the same file:

- ``cp`` + ``sha256sum``: copying the file and checksumming the copy (goal: sciport's
  throughput ≥ 0.9 × this);
- the reference Node tus server, ``@tus/server`` + ``@tus/file-store`` (``bench/package.json``;
  installed with npm into ``bench/node_modules`` when missing), taking the same upload from
  the same tuspy client; it ignores the checksums (goal: sciport ≥ 1.0 × this).

Each round runs the three in an order that rotates between rounds; the best round of each
is reported, and every round is kept in ``bench/results/tus_upload.json``. A stored file
whose SHA-256 differs from the original's makes the run invalid (exit 1).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._common import HOST, ROOT, free_port, granian_version, start_server, stop_server, wait_until_up, write_results

BENCH_DIR = ROOT / "bench"
RESULTS = BENCH_DIR / "results" / "tus_upload.json"
MIB = 1024 * 1024
GOAL_VS_COPY = 0.9
GOAL_VS_NODE = 1.0
# The sink target of the uploads tests takes any upload; a real deployment has the datasets target instead.
SETTINGS_WITH_A_TARGET = "sciport.uploads.tests.live_settings"


@dataclass
class Timing:
    contender: str
    round: int
    seconds: float
    mib_per_second: float


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.tus_upload", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=int(os.environ.get("BENCH_TUS_SIZE_MIB", "1024")))
    parser.add_argument("--chunk-mib", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "2")))
    parser.add_argument(
        "--warmup", type=int, default=1, help="unrecorded rounds first (the VM's first touch of page cache is slow)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(8 * MIB):
            digest.update(piece)
    return digest.hexdigest()


def make_file(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        for start in range(0, size, 8 * MIB):
            piece = os.urandom(min(8 * MIB, size - start))
            digest.update(piece)
            handle.write(piece)
    return digest.hexdigest()


def tuspy_upload(endpoint: str, source: Path, chunk_size: int, headers: dict[str, str], metadata: dict[str, str]) -> str:
    from tusclient import client

    with source.open("rb") as stream:
        uploader = client.TusClient(endpoint, headers=headers).uploader(
            file_stream=stream, chunk_size=chunk_size, metadata=metadata, upload_checksum=True
        )
        uploader.upload()
    return str(uploader.url)


# --- contenders: each returns the path of the stored copy, timed by the caller ------------------------------


def copy_and_checksum(source: Path, work: Path, expected: str) -> Callable[[], Path]:
    target = work / "copy.bin"

    def run() -> Path:
        subprocess.run(["cp", str(source), str(target)], check=True)
        printed = subprocess.run(["sha256sum", str(target)], check=True, capture_output=True, text=True).stdout
        if printed.split()[0] != expected:
            raise RuntimeError("sha256sum printed another checksum")
        return target

    return run


@dataclass
class Sciport:
    var_dir: Path
    token: str = ""
    server: subprocess.Popen[bytes] | None = None
    port: int = 0

    def prepare(self) -> None:
        os.environ.update(SCIPORT_VAR_DIR=str(self.var_dir), SCIPORT_DEBUG="false", DJANGO_SETTINGS_MODULE=SETTINGS_WITH_A_TARGET)
        for command in (["migrate", "--no-input", "-v0"], ["createcachetable"]):
            subprocess.run([sys.executable, "-m", "sciport", *command], check=True, cwd=ROOT, env=os.environ.copy())
        import django

        django.setup()
        from django.db import connections

        from sciport.accounts import services

        user = services.user_create_verified(
            email="bench-tus@example.org", password="bench-password-not-secret-7", display_name="Bench", language="en"
        )
        self.token = services.token_create(actor=user, name="bench", scopes=["read", "write"], expires_in_days=1).secret
        connections.close_all()
        self.port = free_port()
        self.server = start_server(self.port, 1, self.var_dir / "server.log")
        wait_until_up(self.port, self.server)

    def upload(self, source: Path, chunk_size: int) -> Callable[[], Path]:
        def run() -> Path:
            url = tuspy_upload(
                f"http://{HOST}:{self.port}/api/v1/uploads/",
                source,
                chunk_size,
                {"Authorization": f"Bearer {self.token}"},
                {"target": "sink", "filename": source.name},
            )
            public_id = url.rstrip("/").rsplit("/", 1)[-1]
            return self.var_dir / "files" / "uploads" / public_id

        return run

    def stored_sha256(self, stored: Path) -> str:
        from sciport.uploads.models import Upload

        return Upload.objects.get(public_id=stored.name).sha256

    def stop(self) -> None:
        if self.server is not None:
            stop_server(self.server)


@dataclass
class NodeTus:
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    port: int = 0

    def prepare(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not installed; the Node tus baseline needs Node.js 20")
        if not (BENCH_DIR / "node_modules" / "@tus" / "server").is_dir():
            print("  installing @tus/server and @tus/file-store from bench/package.json", flush=True)
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BENCH_DIR, check=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        log = (self.folder.parent / "node.log").open("wb")
        self.process = subprocess.Popen(
            [node, str(BENCH_DIR / "tus_node_server.mjs"), str(self.port), str(self.folder)],
            cwd=BENCH_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the Node tus server did not start")

    def upload(self, source: Path, chunk_size: int) -> Callable[[], Path]:
        def run() -> Path:
            url = tuspy_upload(f"http://{HOST}:{self.port}/files", source, chunk_size, {}, {"filename": source.name})
            return self.folder / url.rstrip("/").rsplit("/", 1)[-1]

        return run

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


def measure(name: str, number: int, size: int, run: Callable[[], Path], expected: str) -> tuple[Timing, Path]:
    started = time.perf_counter()
    stored = run()
    seconds = time.perf_counter() - started
    actual = sha256_of(stored)
    if actual != expected:
        raise RuntimeError(f"{name}: the stored file's SHA-256 is {actual}, not {expected}")
    timing = Timing(name, number, round(seconds, 3), round(size / MIB / seconds, 1))
    label = f"round {number + 1}" if number >= 0 else "warm-up"
    print(f"  {label:<8} {name:<22} {timing.seconds:7.2f} s  {timing.mib_per_second:8.1f} MiB/s", flush=True)
    return timing, stored


def run(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="sciport-bench-tus-"))
    sciport = Sciport(work / "var")
    node = NodeTus(work / "node-files")
    size = args.size_mib * MIB
    timings: list[Timing] = []
    try:
        source = work / "original.bin"
        expected = make_file(source, size)
        sciport.prepare()
        node.prepare()
        contenders = {
            "cp + sha256sum": copy_and_checksum(source, work, expected),
            "sciport (tus)": sciport.upload(source, args.chunk_mib * MIB),
            "@tus/server (node)": node.upload(source, args.chunk_mib * MIB),
        }
        names = list(contenders)
        for number in range(-args.warmup, args.rounds):
            for name in names[number % len(names) :] + names[: number % len(names)]:
                timing, stored = measure(name, number, size, contenders[name], expected)
                if name == "sciport (tus)" and sciport.stored_sha256(stored) != expected:
                    raise RuntimeError("sciport recorded another SHA-256 than the file's")
                if number >= 0:
                    timings.append(timing)
                stored.unlink()
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"tus_upload: INVALID: {error}", file=sys.stderr)
        return 1
    finally:
        sciport.stop()
        node.stop()
        shutil.rmtree(work, ignore_errors=True)
    summary = summarise(args, timings)
    write_results(args.output, summary)
    print_table(summary)
    return 0


def summarise(args: argparse.Namespace, timings: list[Timing]) -> dict[str, Any]:
    best = {
        name: min((t for t in timings if t.contender == name), key=lambda t: t.seconds) for name in {t.contender for t in timings}
    }
    ours = best["sciport (tus)"].seconds
    vs_copy = best["cp + sha256sum"].seconds / ours
    vs_node = best["@tus/server (node)"].seconds / ours
    return {
        "benchmark": "tus_upload",
        "output": str(args.output),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "file_mib": args.size_mib,
        "chunk_mib": args.chunk_mib,
        "goals": {"sciport / (cp + sha256sum)": GOAL_VS_COPY, "sciport / @tus/server": GOAL_VS_NODE},
        "ratio_vs_copy_and_checksum": round(vs_copy, 3),
        "ratio_vs_node_tus_server": round(vs_node, 3),
        "goals_met": {"vs_copy": vs_copy >= GOAL_VS_COPY, "vs_node": vs_node >= GOAL_VS_NODE},
        "selection": f"best of {args.rounds} rounds per contender after {args.warmup} warm-up, order rotating",
        "best": {name: asdict(timing) for name, timing in best.items()},
        "rounds": [asdict(timing) for timing in timings],
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "node": subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip(),
            "server": f"granian {granian_version()} (WSGI) via sciport serve, 1 worker, SQLite, local files",
        },
    }


def print_table(summary: dict[str, Any]) -> None:
    print()
    print(f"tus_upload — {summary['file_mib']} MiB in {summary['chunk_mib']} MiB chunks, {summary['selection']}")
    for name, timing in sorted(summary["best"].items(), key=lambda item: item[1]["seconds"]):
        print(f"  {name:<22} {timing['seconds']:7.2f} s  {timing['mib_per_second']:8.1f} MiB/s")
    for key, label, goal in (
        ("ratio_vs_copy_and_checksum", "sciport vs cp + sha256sum", GOAL_VS_COPY),
        ("ratio_vs_node_tus_server", "sciport vs @tus/server", GOAL_VS_NODE),
    ):
        verdict = "meets" if summary[key] >= goal else "BELOW"
        print(f"ratio {label} = {summary[key]:.3f} ({verdict} the goal {goal})")
    print(f"results: {summary['output']}")


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
