"""COUNTER's four metrics by month: from folded months (``UsageMonth``) plus the events not yet folded.

Every request is also an investigation (COUNTER: downloading implies having looked), so the
investigation figures include requests. Unique figures count sessions; a concept's unique
figures count sessions across all its versions, so they are not the sum of its versions'.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from sciport.datasets.models import Dataset, DatasetVersion, UsageEvent, UsageKind, UsageMonth

METRICS = ("total_investigations", "unique_investigations", "total_requests", "unique_requests")


@dataclass
class Counts:
    total_investigations: int = 0
    unique_investigations: int = 0
    total_requests: int = 0
    unique_requests: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


Key = tuple[int, date]  # (version or dataset id, first day of the month)


def _is_request() -> Q:
    return Q(kind=UsageKind.REQUEST)


def live_counts(events: QuerySet[UsageEvent], by: str) -> dict[Key, Counts]:
    """Events grouped by ``by`` (``version_id`` or ``dataset_id``) and UTC month, counted the COUNTER way."""
    rows = (
        events.values(by, "month")
        .order_by()
        .annotate(
            total_investigations=Count("id"),
            unique_investigations=Count("session", distinct=True),
            total_requests=Count("id", filter=_is_request()),
            unique_requests=Count("session", filter=_is_request(), distinct=True),
        )
    )
    return {(row[by], row["month"]): Counts(**{m: row[m] for m in METRICS}) for row in rows}


def _counts(events: QuerySet[UsageEvent], stored: QuerySet[UsageMonth], by: str) -> dict[Key, Counts]:
    merged: dict[Key, Counts] = defaultdict(Counts)
    for row in stored.values(by, "month", *METRICS):
        merged[(row[by], row["month"])] += Counts(**{m: row[m] for m in METRICS})
    for key, counts in live_counts(events, by).items():
        merged[key] += counts
    return merged


def _series(merged: dict[Key, Counts]) -> dict[str, Any]:
    months = [{"month": month.strftime("%Y-%m"), **counts.as_dict()} for (_id, month), counts in sorted(merged.items())]
    totals = Counts()
    for counts in merged.values():
        totals += counts
    return {"months": months, "totals": totals.as_dict()}


def version_usage(version: DatasetVersion) -> dict[str, Any]:
    """One version's months and totals (totals of unique figures add the months, as COUNTER reports do)."""
    events = UsageEvent.objects.filter(version=version)
    stored = UsageMonth.objects.filter(version=version)
    return _series(_counts(events, stored, "version_id"))


def concept_usage(dataset: Dataset) -> dict[str, Any]:
    """The concept's months and totals: every version's events, sessions counted once across versions."""
    events = UsageEvent.objects.filter(dataset=dataset)
    stored = UsageMonth.objects.filter(dataset=dataset, version__isnull=True)
    return _series(_counts(events, stored, "dataset_id"))


def versions_by_month(versions: QuerySet[DatasetVersion], begin: date, end: date) -> dict[Key, Counts]:
    """Counts of each of ``versions`` in each month from ``begin`` up to (not including) ``end``."""
    events = UsageEvent.objects.filter(version__in=versions, month__gte=begin, month__lt=end)
    stored = UsageMonth.objects.filter(version__in=versions, month__gte=begin, month__lt=end)
    return _counts(events, stored, "version_id")
