"""Cost of usage statistics: recording one view or download, and reading months, reports and folds over many events.

Recording runs inside the landing page and every download, so it must stay cheap: timed
per call for new sessions (lookup + insert) and for double clicks (lookup only). Then
``--events`` raw events over three months and ``--versions`` published versions are
bulk-inserted and timed: one version's months, the concept's months, the platform DSR
for the three months, and folding the two closed months into ``UsageMonth`` rows.

Goal: recording p50 ≤ 2 ms (its p95 is mostly the commit of the insert). Results go to ``bench/results/usage_stats.json``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._common import (
    ROOT,
    auto_publishing_community,
    fresh_var_dir,
    latency_ms,
    machine_facts,
    setup_django,
    write_results,
)

OUTPUT = ROOT / "bench" / "results" / "usage_stats.json"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def timings(run: Callable[[int], Any], count: int) -> dict[str, float]:
    """p50/p95/p99 in milliseconds of ``count`` calls of ``run(i)``."""
    spent = []
    for i in range(count):
        start = time.perf_counter()
        run(i)
        spent.append((time.perf_counter() - start) * 1000)
    return latency_ms(spent, digits=3)


def published_versions(count: int) -> list[Any]:
    from sciport.datasets.services import lifecycle
    from sciport.testing.datasets import add_bytes, sample_metadata

    person, community = auto_publishing_community("bench-usage@example.org")
    versions = []
    for _ in range(count):
        draft = lifecycle.dataset_create(actor=person, community=community, metadata=sample_metadata())
        add_bytes(draft, "readme.txt", b"bench")
        versions.append(lifecycle.version_transition(actor=person, version=draft, event="submit"))
    return versions


def add_events(versions: list[Any], count: int, begin: datetime) -> None:
    from sciport.datasets.models import UsageEvent, UsageKind

    chance = random.Random(7)  # noqa: S311 - repeatable sample data, not secrets
    rows = []
    for _ in range(count):
        version = chance.choice(versions)
        at = begin + timedelta(seconds=chance.randrange(90 * 24 * 3600))
        kind = UsageKind.REQUEST if chance.random() < 0.3 else UsageKind.INVESTIGATION
        session = f"{chance.randrange(count // 4):040x}|{at:%Y-%m-%dT%H}"
        rows.append(
            UsageEvent(
                version=version,
                dataset_id=version.dataset_id,
                kind=kind,
                item="landing",
                session=session,
                occurred_at=at,
                month=at.date().replace(day=1),
            )
        )
    UsageEvent.objects.bulk_create(rows, batch_size=5000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--versions", type=int, default=50)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args(argv)
    fresh_var_dir("sciport-bench-usage-")
    vendor = setup_django(cache_table=False)

    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from sciport.datasets.models import DatasetVersion, UsageEvent
    from sciport.datasets.usage import folding, metrics, recording, report

    versions = published_versions(args.versions)
    factory = RequestFactory()

    def request(i: int) -> Any:
        made = factory.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}")
        made.user = AnonymousUser()
        return made

    first = versions[0]
    new_sessions = timings(lambda i: recording.count_view(request(i), first), args.calls)
    same = request(0)
    double_clicks = timings(lambda _i: recording.count_view(same, first), args.calls)

    this_month = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    begin = (this_month - timedelta(days=45)).replace(day=1)  # the month before last: two closed months, then this one
    start = time.perf_counter()
    add_events(versions, args.events, begin)
    inserted_s = time.perf_counter() - start
    months = [begin.date(), (begin + timedelta(days=95)).date().replace(day=1)]
    public = DatasetVersion.objects.filter(pk__in=[v.pk for v in versions])
    results = {
        "record_new_session": new_sessions,
        "record_double_click": double_clicks,
        "version_months": timings(lambda _i: metrics.version_usage(first), 20),
        "concept_months": timings(lambda _i: metrics.concept_usage(first.dataset), 20),
        "dsr_three_months": timings(lambda _i: report.dataset_report(public, months[0], months[1]), 5),
    }
    start = time.perf_counter()
    folded = folding.usage_fold()
    results["fold"] = {"events": folded, "seconds": round(time.perf_counter() - start, 3)}
    results["events_after_fold"] = UsageEvent.objects.count()
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(vendor),
        "events": args.events,
        "versions": args.versions,
        "insert_seconds": round(inserted_s, 2),
        "results": results,
        "goal": "recording p50 <= 2 ms",
        "met": results["record_new_session"]["p50_ms"] <= 2,
    }
    write_results(OUTPUT, summary)
    for name, figures in results.items():
        print(f"{name}: {figures}")
    return 0 if summary["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
