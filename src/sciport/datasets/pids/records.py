"""What the registry is told about a version or a concept: its landing page and its DataCite metadata."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from sciport.datasets.metadata_export import to_datacite
from sciport.datasets.models import Dataset, DatasetVersion
from sciport.datasets.pids import PidRecord


def version_record(version: DatasetVersion) -> PidRecord:
    return PidRecord(
        pid=version.pid,
        url=settings.SITE_URL + reverse("datasets:version", args=[version.public_id]),
        datacite=to_datacite(version),
    )


def concept_record(dataset: Dataset) -> PidRecord:
    """The concept as its newest published version describes it (the newest draft before the first publication)."""
    latest = dataset.latest_published or dataset.versions.order_by("-version_number").first()
    return PidRecord(
        pid=dataset.concept_pid,
        url=settings.SITE_URL + reverse("datasets:concept", args=[dataset.public_id]),
        datacite=to_datacite(latest, as_concept=True) if latest else {},
    )
