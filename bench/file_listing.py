"""Latency of folder listing pages of a 100,000-file dataset through ``sciport serve``, with /healthz as the baseline.

The dataset is published and open, so pages are read anonymously, as the public reads
them: ``GET /api/v1/versions/{id}/files?folder=…&cursor=…`` (100 items a page). Its file
rows are bulk-inserted (a listing never reads content): 200 files and three folders at the
top, 60,000 files in one deep folder (``instrument/2025/03/15/raw``) and the rest spread
over 100 folders under ``derived/``. Each target is walked page by page along
``next_cursor`` over one keep-alive connection, the whole deep folder included (600
pages), after a warm-up; ``/healthz`` (no database) is timed the same way in the same run.

Goal: p95 ≤ 200 ms at the top and in the deep folder. Printed: p50/p95/p99 per target and
the ratio of each listing's p50 to the baseline's. Results go to
``bench/results/file_listing.json``; a non-200 answer or a walk that does not see every
item makes the run invalid (exit 1).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench._common import (
    HOST,
    ROOT,
    auto_publishing_community,
    fresh_var_dir,
    latency_ms,
    machine_facts,
    print_server_log_tail,
    server_description,
    serving,
    setup_django,
    write_results,
)

RESULTS = ROOT / "bench" / "results" / "file_listing.json"
GOAL_P95_MS = 200.0
DEEP_FOLDER = "instrument/2025/03/15/raw"
DEEP_FILES = 60_000
TOP_FILES = 200
DERIVED_FOLDERS = 100
PAGE = 100


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.file_listing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100_000, help="files in the dataset (default 100,000)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SCIPORT_WORKERS", "2")))
    parser.add_argument("--requests", type=int, default=600, help="timed requests per target (default 600)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests per target first")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


@dataclass
class Timing:
    target: str
    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    items_seen: int


def prepare(total_files: int) -> tuple[str, str]:
    """Migrate a fresh var dir and publish an open dataset of ``total_files`` file rows; returns (version id, vendor)."""
    vendor = setup_django(cache_table=True)
    from django.db import connections, transaction

    from sciport.datasets.files import paths
    from sciport.datasets.models import DatasetFile, DatasetFolder, DatasetVersion
    from sciport.datasets.services import lifecycle
    from sciport.testing.datasets import sample_metadata

    person, community = auto_publishing_community("bench-listing@example.org")
    version = lifecycle.dataset_create(actor=person, community=community, metadata=sample_metadata())
    layout = [("", TOP_FILES), (DEEP_FOLDER, DEEP_FILES)]
    rest = total_files - TOP_FILES - DEEP_FILES
    layout += [(f"derived/run-{n:03}", rest // DERIVED_FOLDERS + (n < rest % DERIVED_FOLDERS)) for n in range(DERIVED_FOLDERS)]
    folders = {pair for folder, _count in layout for pair in paths.ancestors(folder)} | {("", "docs")}
    with transaction.atomic():
        DatasetFolder.objects.bulk_create([DatasetFolder(version=version, parent=p, name=n) for p, n in folders], batch_size=5000)
        rows = (
            DatasetFile(version=version, folder=folder, name=f"sample-{n:06}.csv", blob_name="-", size=1000, sha256="0" * 64)
            for folder, count in layout
            for n in range(count)
        )
        DatasetFile.objects.bulk_create(rows, batch_size=5000)
        DatasetVersion.objects.filter(pk=version.pk).update(file_count=total_files, total_bytes=1000 * total_files)
    version.refresh_from_db()
    lifecycle.version_transition(actor=person, version=version, event="submit")
    connections.close_all()
    return version.public_id, vendor


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    connection.request("GET", path, headers={"Accept": "application/json"})
    response = connection.getresponse()
    body = response.read()
    return time.perf_counter() - started, response.status, body


def walk(port: int, target: str, base: str, *, requests: int, warmup: int, expect: int | None) -> Timing:
    """Time ``requests`` pages of ``base`` (a listing URL, or /healthz), following cursors and starting over at the end."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies: list[float] = []
    cursor: str | None = None
    seen = walked = 0
    full_walks_ok = True
    try:
        for number in range(warmup + requests):
            path = base + (f"&cursor={quote(cursor)}" if cursor else "")
            seconds, status, body = _get(connection, path)
            if status != 200:
                raise RuntimeError(f"{target}: {status} for {path}: {body[:300]!r}")
            if number >= warmup:
                latencies.append(seconds)
            if base.startswith("/healthz"):
                continue
            page = json.loads(body)
            walked += len(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                full_walks_ok &= expect is None or walked == expect
                seen, walked = max(seen, walked), 0
    finally:
        connection.close()
    if not full_walks_ok:
        raise RuntimeError(f"{target}: a walk of the folder did not see {expect} items")
    return Timing(
        target=target,
        requests=len(latencies),
        **latency_ms([seconds * 1000 for seconds in latencies]),
        max_ms=round(max(latencies) * 1000, 2),
        items_seen=max(seen, walked),
    )


def run(args: argparse.Namespace) -> int:
    var_dir = fresh_var_dir("sciport-bench-listing-")
    log_path = var_dir / "server.log"
    try:
        started = time.perf_counter()
        version_id, vendor = prepare(args.files)
        setup_seconds = time.perf_counter() - started
        with serving(args.workers, log_path) as port:
            listing = f"/api/v1/versions/{version_id}/files?limit={PAGE}"
            top_items = TOP_FILES + 3  # instrument/, derived/, docs/
            timings = [
                walk(port, "healthz", "/healthz", requests=args.requests, warmup=args.warmup, expect=None),
                walk(port, "top folder", listing, requests=args.requests, warmup=args.warmup, expect=top_items),
                walk(
                    port,
                    "deep folder",
                    f"{listing}&folder={quote(DEEP_FOLDER)}",
                    requests=args.requests,
                    warmup=args.warmup,
                    expect=DEEP_FILES,
                ),
            ]
    except RuntimeError as error:
        print(f"file_listing: INVALID: {error}", file=sys.stderr)
        print_server_log_tail(log_path)
        return 1
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    baseline = timings[0]
    worst_p95 = max(timing.p95_ms for timing in timings[1:])
    summary: dict[str, Any] = {
        "benchmark": "file_listing",
        "output": str(args.output),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "goal": f"p95 <= {GOAL_P95_MS:.0f} ms at the top and in the deep folder",
        "goal_met": worst_p95 <= GOAL_P95_MS,
        "files": args.files,
        "deep_folder": {"path": DEEP_FOLDER, "files": DEEP_FILES},
        "page_size": PAGE,
        "timings": [asdict(timing) for timing in timings],
        "p50_ratio_vs_healthz": {timing.target: round(timing.p50_ms / baseline.p50_ms, 1) for timing in timings[1:]},
        "setup_seconds": round(setup_seconds, 1),
        "machine": machine_facts(vendor, server=server_description(args.workers)),
    }
    write_results(args.output, summary)
    print(f"\nfile_listing — {args.files:,} files, {vendor}, {summary['machine']['server']}, {args.requests} timed requests each")
    print(f"{'target':<14} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'p50 / healthz':>14}")
    for timing in timings:
        ratio = summary["p50_ratio_vs_healthz"].get(timing.target, 1.0)
        print(
            f"{timing.target:<14} {timing.p50_ms:>8.2f} {timing.p95_ms:>8.2f} {timing.p99_ms:>8.2f} {timing.max_ms:>8.2f} {ratio:>14.1f}"
        )
    verdict = "meets" if summary["goal_met"] else "MISSES"
    print(f"worst listing p95 = {worst_p95:.2f} ms ({verdict} the goal of {GOAL_P95_MS:.0f} ms)\nresults: {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
