"""The dataset search page: words, facet checkboxes with counts, and the matching datasets.

Each facet takes one value at a time: once one is ticked, its group shows just that value
(untick it to see the others). With htmx, changing the form swaps in the results only.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sciport.core.errors import ValidationFailed
from sciport.datasets import search

PAGE_SIZE = 20
FACET_TITLES = {
    "organisation": gettext_lazy("Organisation"),
    "subject": gettext_lazy("Field of science"),
    "licence": gettext_lazy("Licence"),
    "year": gettext_lazy("Year"),
    "access": gettext_lazy("Access"),
    "file_type": gettext_lazy("File type"),
}


@dataclass(frozen=True)
class FacetChoice:
    value: str
    label: str
    count: int
    chosen: bool


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    choices: list[FacetChoice]


def _groups(results: search.DatasetResults, chosen: dict[str, str], language: str) -> list[FacetGroup]:
    labels = search.facet_labels(results.facets, language)
    groups = []
    for name in search.FACETS:
        counts = results.facets.get(name, {})
        values = [chosen[name]] if chosen.get(name) else list(counts)
        choices = [FacetChoice(v, labels[name].get(v, v), counts.get(v, 0), bool(chosen.get(name))) for v in values]
        if choices:
            groups.append(FacetGroup(name, str(FACET_TITLES[name]), choices))
    return groups


@require_GET
def dataset_search(request: HttpRequest) -> HttpResponse:
    """Published datasets by words and facets; an unknown cursor starts again at the first page."""
    text = request.GET.get("q", "")[:200]
    chosen = {name: request.GET.get(name, "")[:200] for name in search.FACETS if request.GET.get(name)}
    cursor = request.GET.get("cursor") or None
    try:
        results = search.dataset_search(
            request.user, text=text, filters=chosen, language=request.LANGUAGE_CODE, cursor=cursor, limit=PAGE_SIZE
        )
    except ValidationFailed:
        cursor = None
        results = search.dataset_search(request.user, text=text, filters=chosen, language=request.LANGUAGE_CODE, limit=PAGE_SIZE)
    query = {"q": text, **chosen} if text else chosen
    context = {
        "query": text,
        "hits": results.hits,
        "groups": _groups(results, chosen, request.LANGUAGE_CODE),
        "next_query": urlencode({**query, "cursor": results.next_cursor}) if results.next_cursor else "",
        "first_query": urlencode(query) if cursor else "",
    }
    template = "datasets/_search_results.html" if request.htmx else "datasets/search.html"  # type: ignore[attr-defined]
    return render(request, template, context)
