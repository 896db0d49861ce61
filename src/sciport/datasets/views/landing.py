"""Landing pages and identifier resolution: a version's page, the concept (newest version), ``/pid/<identifier>``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from sciport.core.errors import NotFound
from sciport.datasets.models import Dataset, DatasetVersion
from sciport.datasets.selectors import versions as selectors


def version_landing(request: HttpRequest, version_id: str) -> HttpResponse:
    try:
        version = selectors.version_get(request.user, version_id)
    except NotFound:
        raise Http404 from None
    context = {
        "version": version,
        "dataset": version.dataset,
        "versions": selectors.versions_of(request.user, version.dataset),
        "title": version.display_title(request.LANGUAGE_CODE),
    }
    return render(request, "datasets/landing.html", context)


def concept(request: HttpRequest, dataset_id: str) -> HttpResponse:
    """The concept identifier's page is its newest published version (a redirect, so the citation is exact)."""
    try:
        dataset = selectors.dataset_get(request.user, dataset_id)
        target = selectors.concept_target(request.user, dataset)
    except NotFound:
        raise Http404 from None
    return redirect(reverse("datasets:version", args=[target.public_id]))


def resolve_pid(request: HttpRequest, pid: str) -> HttpResponse:
    """Resolve a locally minted identifier (concept or version) to its landing page."""
    version = DatasetVersion.objects.filter(pid=pid).only("public_id").first()
    if version is not None:
        return redirect(reverse("datasets:version", args=[version.public_id]))
    dataset = Dataset.objects.filter(concept_pid=pid).only("public_id").first()
    if dataset is not None:
        return redirect(reverse("datasets:concept", args=[dataset.public_id]))
    raise Http404
