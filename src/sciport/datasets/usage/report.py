"""The platform's Dataset Report (DSR) in the JSON of the COUNTER Code of Practice for Research Data.

The shape is that of the Make Data Count SUSHI reports (release ``rd1``): a header with the
reporting period, then one entry per dataset version with a performance block per month.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sciport.core.errors import FieldError, ValidationFailed
from sciport.datasets.models import DatasetVersion
from sciport.datasets.usage.metrics import Counts, versions_by_month
from sciport.datasets.views.presenting import publisher

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
PLATFORM = "Science Data Bank"
METRIC_TYPES = {
    "total_investigations": "total-dataset-investigations",
    "unique_investigations": "unique-dataset-investigations",
    "total_requests": "total-dataset-requests",
    "unique_requests": "unique-dataset-requests",
}


def parse_month(value: str, field: str) -> date:
    match = MONTH.match(value)
    if match is None:
        raise ValidationFailed(errors=[FieldError(field, _("Give a month as YYYY-MM."))])
    return date(int(match[1]), int(match[2]), 1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def reporting_period(begin: str, end: str) -> tuple[date, date]:
    """The first day of ``begin`` and the first day after ``end`` (both ``YYYY-MM``)."""
    first, last = parse_month(begin, "begin"), parse_month(end, "end")
    if last < first:
        raise ValidationFailed(errors=[FieldError("end", _("The end month comes before the beginning."))])
    return first, next_month(last)


def _performance(month: date, counts: Counts) -> dict[str, Any]:
    values = counts.as_dict()
    return {
        "period": {"begin-date": month.isoformat(), "end-date": (next_month(month) - timedelta(days=1)).isoformat()},
        "instance": [
            {"metric-type": name, "access-method": "regular", "count": values[metric]}
            for metric, name in METRIC_TYPES.items()
            if values[metric]
        ],
    }


def _dataset(version: DatasetVersion, months: list[tuple[date, Counts]]) -> dict[str, Any]:
    published = version.published_at
    return {
        "dataset-title": version.title_en or version.title_zh or version.public_id,
        "dataset-id": [{"type": "doi" if version.pid.startswith("10.") else "other-id", "value": version.pid}],
        "uri": settings.SITE_URL + reverse("datasets:version", args=[version.public_id]),
        "platform": PLATFORM,
        "publisher": publisher(version.metadata) or PLATFORM,
        "publisher-id": [{"type": "other-id", "value": version.organisation.public_id}],
        "data-type": "dataset",
        "yop": str(published.year) if published else "",
        "dataset-dates": [{"type": "pub-date", "value": published.date().isoformat()}] if published else [],
        "performance": [_performance(month, counts) for month, counts in months],
    }


def dataset_report(versions: QuerySet[DatasetVersion], begin: date, end: date) -> dict[str, Any]:
    """The DSR of ``versions`` from ``begin`` up to (not including) ``end``: only versions with usage."""
    by_version: dict[int, list[tuple[date, Counts]]] = defaultdict(list)
    for (version_id, month), counts in sorted(versions_by_month(versions, begin, end).items()):
        by_version[version_id].append((month, counts))
    used = versions.filter(pk__in=by_version).select_related("organisation").order_by("pk")
    return {
        "report-header": {
            "report-name": "dataset report",
            "report-id": "DSR",
            "release": "rd1",
            "created": timezone.now().date().isoformat(),
            "created-by": PLATFORM,
            "reporting-period": {"begin-date": begin.isoformat(), "end-date": (end - timedelta(days=1)).isoformat()},
            "report-filters": [],
            "report-attributes": [],
            "exceptions": [],
        },
        "report-datasets": [_dataset(version, by_version[version.pk]) for version in used],
    }
