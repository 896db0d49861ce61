"""Throughput of ranged downloads of a 256 MiB dataset file through ``sciport serve``, against reading it from disk.

A published, open dataset gets one 256 MiB file of random bytes through the files
service (stored on local disk, the embedded default). The download fetches it with
``Range: bytes=a-b`` requests of 32 MiB, one after another on one keep-alive connection,
as a resuming client or a download manager's single stream does; each answer must be
206 with the right ``Content-Range``, and the first round's bytes must hash to the
file's SHA-256. The baseline reads the same stored file in the same 32 MiB ranges
(seek, read) in this process.

"From disk" is taken literally: before each timed read the file's pages are dropped from
the page cache (``posix_fadvise(DONTNEED)``, no privileges needed), so that both the
server and the baseline read the device, as a repository serving more data than its RAM
does. Goal: download throughput ≥ 0.5 × disk throughput, cold. The same reads repeated
at once, from the page cache (a memory copy, about 8 GB/s here), are timed and reported
too: that ratio shows what the HTTP path costs when the disk is not the limit.

Rounds alternate the order; the best round of each is reported and every round kept in
``bench/results/ranged_download.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._common import (
    HOST,
    ROOT,
    auto_publishing_community,
    fresh_var_dir,
    machine_facts,
    print_server_log_tail,
    server_description,
    serving,
    setup_django,
    write_results,
)

RESULTS = ROOT / "bench" / "results" / "ranged_download.json"
GOAL_RATIO = 0.5
MIB = 1024 * 1024


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ranged_download", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=256, help="file size in MiB (default 256)")
    parser.add_argument("--range-mib", type=int, default=32, help="bytes per Range request, in MiB (default 32)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SCIPORT_WORKERS", "2")))
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


@dataclass(frozen=True)
class Stored:
    file_id: str
    path: Path
    size: int
    sha256: str


@dataclass
class Round:
    reader: str
    cache: str
    seconds: float
    mib_per_second: float


def drop_from_cache(path: Path) -> None:
    """Ask the kernel to forget the file's cached pages, so the next read comes from the device."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def prepare(var_dir: Path, size: int) -> tuple[Stored, str]:
    """Migrate, then publish an open dataset holding one file of ``size`` random bytes, added through the files service."""
    vendor = setup_django(cache_table=False)
    from django.db import connections

    from sciport.core import storage
    from sciport.datasets.services import files, lifecycle
    from sciport.testing.datasets import sample_metadata

    person, community = auto_publishing_community("bench-download@example.org")
    version = lifecycle.dataset_create(actor=person, community=community, metadata=sample_metadata())
    md5 = hashlib.md5(usedforsecurity=False)

    def random_chunks() -> Any:
        for _ in range(size // MIB):
            chunk = os.urandom(MIB)
            md5.update(chunk)
            yield chunk

    written = storage.write("uploads/bench-256", random_chunks(), size_hint=size)
    content = files.StoredContent(written.name, written.size, written.sha256, md5.hexdigest())
    added = files.version_add_stored(actor=person, version=version, path="instrument/run-1/frames.bin", content=content)
    version.refresh_from_db()
    lifecycle.version_transition(actor=person, version=version, event="submit")
    file = added.files[0]
    connections.close_all()
    return Stored(file.public_id, var_dir / "files" / file.blob_name, file.size, file.sha256), vendor


def _ranges(size: int, step: int) -> list[tuple[int, int]]:
    return [(start, min(start + step, size) - start) for start in range(0, size, step)]


def read_from_disk(stored: Stored, step: int, buffer: bytearray) -> None:
    view = memoryview(buffer)
    with open(stored.path, "rb", buffering=0) as handle:
        for start, length in _ranges(stored.size, step):
            handle.seek(start)
            got = 0
            while got < length:
                got += handle.readinto(view[got:length]) or 0


def download(port: int, stored: Stored, step: int, buffer: bytearray, digest: Any = None) -> None:
    """Fetch the file range by range; raise on any answer but the right 206."""
    view = memoryview(buffer)
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        for start, length in _ranges(stored.size, step):
            connection.request(
                "GET", f"/api/v1/files/{stored.file_id}/content", headers={"Range": f"bytes={start}-{start + length - 1}"}
            )
            response = connection.getresponse()
            expected = f"bytes {start}-{start + length - 1}/{stored.size}"
            if response.status != 206 or response.getheader("Content-Range") != expected:
                raise RuntimeError(
                    f"range {start}: {response.status} {response.getheader('Content-Range')}: {response.read(300)!r}"
                )
            got = 0
            while got < length:
                read = response.readinto(view[got:length])
                if not read:
                    raise RuntimeError(f"range {start}: the answer ended after {got} of {length} bytes")
                got += read
            if digest is not None:
                digest.update(view[:length])
    finally:
        connection.close()


def timed(reader: str, cache: str, action: Any, size: int) -> Round:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    return Round(reader, cache, round(seconds, 3), round(size / MIB / seconds, 1))


def best_of(rounds: list[Round], reader: str, cache: str) -> Round:
    return max((r for r in rounds if r.reader == reader and r.cache == cache), key=lambda r: r.mib_per_second)


def run(args: argparse.Namespace) -> int:
    var_dir = fresh_var_dir("sciport-bench-download-")
    log_path = var_dir / "server.log"
    step = args.range_mib * MIB
    buffer = bytearray(step)
    rounds: list[Round] = []
    try:
        stored, vendor = prepare(var_dir, args.mib * MIB)
        with serving(args.workers, log_path) as port:
            check = hashlib.sha256()
            download(port, stored, step, buffer, check)  # warms the server and the page cache, and proves the bytes
            if check.hexdigest() != stored.sha256:
                raise RuntimeError("the downloaded bytes do not hash to the file's SHA-256")
            read_from_disk(stored, step, buffer)
            readers = {
                "server": lambda: download(port, stored, step, buffer),
                "disk": lambda: read_from_disk(stored, step, buffer),
            }
            for number in range(args.rounds):
                order = ["server", "disk"] if number % 2 == 0 else ["disk", "server"]
                for reader in order:
                    drop_from_cache(stored.path)
                    for cache in ("cold", "warm"):  # the cold read fills the cache for the warm one
                        result = timed(reader, cache, readers[reader], stored.size)
                        print(f"  round {number + 1} {reader:6} {cache}  {result.mib_per_second:9.1f} MiB/s", flush=True)
                        rounds.append(result)
    except RuntimeError as error:
        print(f"ranged_download: INVALID: {error}", file=sys.stderr)
        print_server_log_tail(log_path)
        return 1
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    best = {f"{reader} {cache}": best_of(rounds, reader, cache) for reader in ("server", "disk") for cache in ("cold", "warm")}
    ratio = best["server cold"].mib_per_second / best["disk cold"].mib_per_second
    warm_ratio = best["server warm"].mib_per_second / best["disk warm"].mib_per_second
    summary: dict[str, Any] = {
        "benchmark": "ranged_download",
        "output": str(args.output),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "goal": f"server / disk >= {GOAL_RATIO}, both reading the device (page cache dropped before each read)",
        "ratio_server_over_disk": round(ratio, 3),
        "goal_met": ratio >= GOAL_RATIO,
        "ratio_from_page_cache": round(warm_ratio, 3),
        "file_mib": args.mib,
        "range_mib": args.range_mib,
        "selection": f"best of {args.rounds} alternating rounds",
        "best": {reader: asdict(result) for reader, result in best.items()},
        "rounds": [asdict(result) for result in rounds],
        "machine": machine_facts(vendor, storage="local disk", server=server_description(args.workers)),
    }
    write_results(args.output, summary)
    verdict = "meets" if summary["goal_met"] else "BELOW"
    print(f"\nranged_download — {args.mib} MiB in {args.range_mib} MiB ranges, {summary['machine']['server']}")
    for name, result in best.items():
        print(f"  {name:12} {result.mib_per_second:9.1f} MiB/s")
    print(f"from disk: server / disk = {ratio:.3f} ({verdict} the goal {GOAL_RATIO}); from the page cache: {warm_ratio:.3f}")
    print(f"results: {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
