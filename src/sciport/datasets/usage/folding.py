"""Folding closed months of raw events into ``UsageMonth`` rows and deleting the events.

The raw table only needs the events of the current month (the double-click filter looks back
30 seconds); once a month has ended, its figures no longer change and one row per version and
one per concept keep them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from sciport.core.tasks import task
from sciport.datasets.models import UsageEvent, UsageMonth
from sciport.datasets.tasks import keep_queued
from sciport.datasets.usage.metrics import METRICS, Counts, live_counts


def month_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _add(row: UsageMonth, counts: Counts) -> None:
    for metric in METRICS:
        setattr(row, metric, getattr(row, metric) + getattr(counts, metric))
    row.save()


@transaction.atomic
def usage_fold(*, before: datetime | None = None) -> int:
    """Fold every event before ``before`` (default: this UTC month's start) and delete them; returns how many."""
    cutoff = before or month_start(timezone.now())
    events = UsageEvent.objects.filter(occurred_at__lt=cutoff)
    versions = dict(events.values_list("version_id", "dataset_id").distinct())
    for (version_id, month), counts in live_counts(events, "version_id").items():
        row, _created = UsageMonth.objects.get_or_create(version_id=version_id, month=month, dataset_id=versions[version_id])
        _add(row, counts)
    for (dataset_id, month), counts in live_counts(events, "dataset_id").items():
        row, _created = UsageMonth.objects.get_or_create(version=None, month=month, dataset_id=dataset_id)
        _add(row, counts)
    folded, _by_model = events.delete()
    return folded


@task()
def fold_usage() -> int:
    """The daily run: fold closed months and keep the next run queued."""
    folded = usage_fold()
    schedule_usage_folding()
    return folded


def schedule_usage_folding() -> bool:
    """Keep one folding run queued for the next midnight; returns whether one was queued now."""
    return keep_queued(fold_usage)
