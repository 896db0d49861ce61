"""What the registry is told about a version or a concept."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from sciport.datasets.models import Dataset, DatasetVersion
from sciport.datasets.pids import PidRecord


def version_record(version: DatasetVersion) -> PidRecord:
    return PidRecord(
        pid=version.pid,
        url=settings.SITE_URL + reverse("datasets:version", args=[version.public_id]),
        datacite=dict(version.metadata),
    )


def concept_record(dataset: Dataset) -> PidRecord:
    latest = dataset.latest_published or dataset.versions.order_by("-version_number").first()
    metadata = dict(latest.metadata) if latest else {}
    return PidRecord(
        pid=dataset.concept_pid, url=settings.SITE_URL + reverse("datasets:concept", args=[dataset.public_id]), datacite=metadata
    )
