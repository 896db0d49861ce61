"""Reads of communities, datasets and versions, restricted to what the reader may see.

Published (and withdrawn, for their tombstones) versions are public unless private;
the owner organisation's people see every version; others see nothing else (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet

from sciport.core import permissions
from sciport.core.errors import NotFound
from sciport.datasets.models import (
    AccessLevel,
    Community,
    CurationComment,
    Dataset,
    DatasetVersion,
    VersionState,
)
from sciport.datasets.permissions import CURATORS

PUBLIC_STATES = (VersionState.PUBLISHED, VersionState.WITHDRAWN)


def _insider_organisations(user: Any) -> list[int]:
    return list(permissions.roles_by_organisation(user))


def visible_versions(user: Any) -> QuerySet[DatasetVersion]:
    """Every version ``user`` may see the landing page (metadata) of."""
    versions = DatasetVersion.objects.select_related("dataset", "organisation")
    if getattr(user, "is_superuser", False):
        return versions
    public = Q(state__in=PUBLIC_STATES) & ~Q(access_level=AccessLevel.PRIVATE)
    if not getattr(user, "is_authenticated", False):
        return versions.filter(public)
    return versions.filter(public | Q(organisation_id__in=_insider_organisations(user)) | Q(created_by=user))


def version_get(user: Any, public_id: str, action: str = "view") -> DatasetVersion:
    """One version for ``action``: 404 when invisible, 403 only for insiders lacking the role."""
    version = visible_versions(user).filter(public_id=public_id).first()
    if version is None:
        raise NotFound()
    if action != "view":
        permissions.require(user, action, version)
    return version


def dataset_get(user: Any, public_id: str, action: str = "view") -> Dataset:
    """A concept, visible when any of its versions is."""
    dataset = Dataset.objects.select_related("organisation", "community", "latest_published").filter(public_id=public_id).first()
    if dataset is None or not visible_versions(user).filter(dataset=dataset).exists():
        raise NotFound()
    if action != "view":
        permissions.require(user, action, dataset)
    return dataset


def versions_of(user: Any, dataset: Dataset) -> QuerySet[DatasetVersion]:
    return visible_versions(user).filter(dataset=dataset).order_by("-version_number")


def concept_target(user: Any, dataset: Dataset) -> DatasetVersion:
    """What the concept identifier resolves to: the newest published version, else the newest one the reader may see."""
    if dataset.latest_published is not None and visible_versions(user).filter(pk=dataset.latest_published.pk).exists():
        return dataset.latest_published
    newest = versions_of(user, dataset).first()
    if newest is None:
        raise NotFound()
    return newest


def latest_public_versions(user: Any, *, community_id: str = "") -> QuerySet[DatasetVersion]:
    """One row per concept: the version its identifier resolves to, for the dataset list (optionally of one community)."""
    versions = visible_versions(user).filter(state=VersionState.PUBLISHED, dataset__latest_published_id=F("pk"))
    return versions.filter(dataset__community__public_id=community_id) if community_id else versions


def my_versions(user: Any) -> QuerySet[DatasetVersion]:
    """Versions the user deposited or may edit as an insider, newest first."""
    if not getattr(user, "is_authenticated", False):
        return DatasetVersion.objects.none()
    return permissions.restrict(DatasetVersion.objects.select_related("dataset"), user, "edit") | DatasetVersion.objects.filter(
        created_by=user
    )


def curation_queue(user: Any) -> QuerySet[DatasetVersion]:
    """Submitted and in-curation versions of organisations where the user curates."""
    states = [VersionState.SUBMITTED, VersionState.IN_CURATION]
    curated = permissions.restrict(DatasetVersion.objects.select_related("dataset", "organisation"), user, "curate")
    return curated.filter(state__in=states).order_by("submitted_at", "id")


def comments_of(version: DatasetVersion) -> QuerySet[CurationComment]:
    return version.comments.select_related("author").order_by("id")


def communities(*, organisation_id: str = "") -> QuerySet[Community]:
    """Every community (they are public), optionally of one organisation by its public id."""
    found = Community.objects.select_related("organisation")
    return found.filter(organisation__public_id=organisation_id) if organisation_id else found


def community_get(public_id: str) -> Community:
    community = Community.objects.select_related("organisation").filter(public_id=public_id).first()
    if community is None:
        raise NotFound()
    return community


def is_curator_of(user: Any, version: DatasetVersion) -> bool:
    return bool(permissions.roles_by_organisation(user).get(version.organisation_id, frozenset()) & (CURATORS | {"admin"}))
