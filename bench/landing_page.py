"""Latency of a published dataset's landing page through ``sciport serve``, with /healthz as the baseline in the same run.

The dataset is open and fully described (three creators with ORCID/ROR, keywords, a
place, a funder, a related article) and holds 200 files in two folders, so the page
carries its JSON-LD with 200 downloads, the signposting ``Link`` header, the citation box
and the file browser. It is read anonymously over one keep-alive connection, after a
warm-up; ``/healthz`` (no database) is timed the same way. The number of SQL queries one
page costs is counted in process first.

Goal: landing page p95 ≤ 50 ms. Printed: p50/p95/p99 per target, the ratio of the
page's p50 and p95 to the baseline's, the query count. Results go to
``bench/results/landing_page.json``; a non-200 answer or a page without its JSON-LD and
``Link`` header makes the run invalid (exit 1).
"""

from __future__ import annotations

import argparse
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
    latency_ms,
    machine_facts,
    print_server_log_tail,
    server_description,
    serving,
    setup_django,
    write_results,
)

RESULTS = ROOT / "bench" / "results" / "landing_page.json"
GOAL_P95_MS = 50.0
MEDIA_TYPES = ("text/csv", "application/x-netcdf", "application/json", "image/png")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.landing_page", description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200, help="files in the dataset (default 200)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SCIPORT_WORKERS", "2")))
    parser.add_argument("--requests", type=int, default=500, help="timed requests per target (default 500)")
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
    bytes: int


def prepare(total_files: int) -> tuple[str, str]:
    """Migrate a fresh var dir and publish a fully described open dataset of ``total_files`` file rows; returns (version id, vendor)."""
    vendor = setup_django(cache_table=True)
    from django.db import connections, transaction

    from sciport.datasets.models import DatasetFile, DatasetFolder, DatasetVersion
    from sciport.datasets.services import lifecycle
    from sciport.datasets.tests.discovery_helpers import full_metadata

    person, community = auto_publishing_community("bench-landing@example.org")
    version = lifecycle.dataset_create(actor=person, community=community, metadata=full_metadata())
    folders = ("raw", "derived")
    with transaction.atomic():
        DatasetFolder.objects.bulk_create([DatasetFolder(version=version, parent="", name=name) for name in folders])
        DatasetFile.objects.bulk_create(
            DatasetFile(
                version=version,
                folder=folders[n % 2] if n >= 20 else "",
                name=f"station-{n:04}.csv",
                blob_name="-",
                size=1000 + n,
                sha256=f"{n:064x}",
                media_type=MEDIA_TYPES[n % len(MEDIA_TYPES)],
            )
            for n in range(total_files)
        )
        DatasetVersion.objects.filter(pk=version.pk).update(file_count=total_files, total_bytes=1000 * total_files)
    version.refresh_from_db()
    lifecycle.version_transition(actor=person, version=version, event="submit")
    connections.close_all()
    return version.public_id, vendor


def count_queries(path: str) -> int:
    """SQL queries of one anonymous page, in process (the second read, as a warm server serves it)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return len(queries)


def _check(target: str, response: http.client.HTTPResponse, body: bytes) -> None:
    if response.status != 200:
        raise RuntimeError(f"{target}: {response.status}: {body[:300]!r}")
    if target == "landing page" and (
        b"application/ld+json" not in body or 'rel="cite-as"' not in (response.getheader("Link") or "")
    ):
        raise RuntimeError("landing page: no JSON-LD or no signposting Link header")


def time_target(port: int, target: str, path: str, *, requests: int, warmup: int) -> Timing:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies: list[float] = []
    size = 0
    try:
        for number in range(warmup + requests):
            started = time.perf_counter()
            connection.request("GET", path, headers={"Accept": "text/html", "Accept-Language": "en"})
            response = connection.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            _check(target, response, body)
            size = len(body)
            if number >= warmup:
                latencies.append(elapsed)
    finally:
        connection.close()
    return Timing(
        target=target,
        requests=len(latencies),
        **latency_ms([seconds * 1000 for seconds in latencies]),
        max_ms=round(max(latencies) * 1000, 2),
        bytes=size,
    )


def run(args: argparse.Namespace) -> int:
    var_dir = fresh_var_dir("sciport-bench-landing-")
    log_path = var_dir / "server.log"
    try:
        version_id, vendor = prepare(args.files)
        page = f"/data/versions/{version_id}/"
        queries = count_queries(page)
        with serving(args.workers, log_path) as port:
            timings = [
                time_target(port, "healthz", "/healthz", requests=args.requests, warmup=args.warmup),
                time_target(port, "landing page", page, requests=args.requests, warmup=args.warmup),
            ]
    except RuntimeError as error:
        print(f"landing_page: INVALID: {error}", file=sys.stderr)
        print_server_log_tail(log_path)
        return 1
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    baseline, landing = timings
    summary: dict[str, Any] = {
        "benchmark": "landing_page",
        "output": str(args.output),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "goal": f"landing page p95 <= {GOAL_P95_MS:.0f} ms",
        "goal_met": landing.p95_ms <= GOAL_P95_MS,
        "files": args.files,
        "queries_per_page": queries,
        "timings": [asdict(timing) for timing in timings],
        "ratio_vs_healthz": {
            "p50": round(landing.p50_ms / baseline.p50_ms, 1),
            "p95": round(landing.p95_ms / baseline.p95_ms, 1),
        },
        "machine": machine_facts(vendor, server=server_description(args.workers)),
    }
    write_results(args.output, summary)
    print(f"\nlanding_page — {args.files} files, {vendor}, {summary['machine']['server']}, {args.requests} timed requests each")
    print(f"{'target':<14} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'bytes':>9}")
    for timing in timings:
        print(
            f"{timing.target:<14} {timing.p50_ms:>8.2f} {timing.p95_ms:>8.2f} {timing.p99_ms:>8.2f} {timing.max_ms:>8.2f} {timing.bytes:>9}"
        )
    verdict = "meets" if summary["goal_met"] else "MISSES"
    ratio = summary["ratio_vs_healthz"]
    print(
        f"landing p95 = {landing.p95_ms:.2f} ms ({verdict} the goal of {GOAL_P95_MS:.0f} ms); vs healthz p50 ×{ratio['p50']}, p95 ×{ratio['p95']}"
    )
    print(f"SQL queries per page: {queries}\nresults: {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
