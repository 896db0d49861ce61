"""What every page about one version shows: its titles, identifiers, versions, and the lifecycle buttons its reader may press."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from sciport.core import permissions
from sciport.datasets.models import DatasetVersion, VersionState
from sciport.datasets.selectors import versions as selectors
from sciport.datasets.services import lifecycle
from sciport.datasets.views import presenting

S = VersionState


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def events_for(user: Any, version: DatasetVersion) -> list[str]:
    """The lifecycle events the reader may trigger on the version now (from the transitions table)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        event
        for (state, event), step in lifecycle.TRANSITIONS.items()
        if state == version.state and permissions.can(user, step.action, version)
    ]


def version_context(request: HttpRequest, version: DatasetVersion) -> dict[str, Any]:
    user = request.user
    language = request.LANGUAGE_CODE
    dataset = version.dataset
    insider = getattr(user, "is_authenticated", False) and permissions.can(user, "edit", version)
    return {
        "version": version,
        "dataset": dataset,
        "community": dataset.community,
        "title": version.display_title(language),
        "other_title": presenting.other_title(version, language),
        "versions": list(selectors.versions_of(user, dataset)),
        "version_url": presenting.resolver_url(version.pid),
        "concept_url": presenting.resolver_url(dataset.concept_pid),
        "events": events_for(user, version),
        "insider": insider,
        "can_curate": insider and permissions.can(user, "curate", version),
        "can_edit": insider
        and (version.state == S.DRAFT or (version.state == S.PUBLISHED and permissions.can(user, "curate", version))),
    }
