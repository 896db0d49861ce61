"""The public face of the Science Data Bank: the list of published datasets and the communities that hold them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sciport.core.errors import ValidationFailed
from sciport.core.pagination import paginate
from sciport.datasets.models import Community
from sciport.datasets.selectors import versions as selectors
from sciport.web.errors import page_errors

PAGE_SIZE = 20


def _published_page(request: HttpRequest, community: Community | None) -> dict[str, object]:
    """One cursor page of the newest published versions, with the link to the next one."""
    community_id = community.public_id if community else ""
    versions = selectors.latest_public_versions(request.user, community_id=community_id).select_related(
        "dataset__community", "organisation"
    )
    try:
        window = paginate(versions, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE, newest_first=True)
    except ValidationFailed:
        window = paginate(versions, cursor=None, limit=PAGE_SIZE, newest_first=True)
    query = {"community": community.public_id} if community and "community" in request.GET else {}
    next_query = urlencode({**query, "cursor": window.next_cursor}) if window.next_cursor else ""
    return {
        "versions": window.items,
        "next_query": next_query,
        "first_query": urlencode(query),
        "first_page": not request.GET.get("cursor"),
    }


def _communities_with_counts() -> list[Community]:
    published = Q(datasets__latest_published__isnull=False) & ~Q(datasets__latest_published__access_level="private")
    return list(selectors.communities().annotate(dataset_count=Count("datasets", filter=published)).order_by("id"))


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    """Published datasets, newest first, optionally of one community."""
    communities = _communities_with_counts()
    chosen = next((c for c in communities if c.public_id == request.GET.get("community")), None)
    context = {"communities": communities, "community": chosen, **_published_page(request, chosen)}
    return render(request, "datasets/list.html", context)


@require_GET
def community_list(request: HttpRequest) -> HttpResponse:
    return render(request, "datasets/communities.html", {"communities": _communities_with_counts()})


@require_GET
@page_errors
def community_detail(request: HttpRequest, community_id: str) -> HttpResponse:
    community = selectors.community_get(community_id)
    context = {"community": community, **_published_page(request, community)}
    return render(request, "datasets/community.html", context)
