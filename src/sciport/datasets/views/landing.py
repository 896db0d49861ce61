"""Landing pages and identifier resolution: a version's page, the concept (newest version), ``/pid/<identifier>``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from sciport.core.errors import NotFound
from sciport.datasets.exports.links import export_links
from sciport.datasets.models import Dataset, DatasetVersion, PrivateLink, VersionState
from sciport.datasets.selectors import access
from sciport.datasets.selectors import versions as selectors
from sciport.datasets.services.access import PURPOSE_MAX_LENGTH
from sciport.datasets.usage import recording
from sciport.datasets.views import common, discovery, files, presenting, usage


class AccessRequestForm(forms.Form):
    purpose = forms.CharField(
        label=gettext_lazy("What will you use the data for?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=PURPOSE_MAX_LENGTH,
        help_text=gettext_lazy("The curators read this before they decide."),
    )
    accept_agreement = forms.BooleanField(label=gettext_lazy("I accept the data use agreement above."), required=False)


def version_landing(request: HttpRequest, version_id: str) -> HttpResponse:
    try:
        version = selectors.version_get(request.user, version_id)
    except NotFound:
        raise Http404 from None
    recording.count_view(request, version)
    return discovery.sign(render(request, "datasets/landing.html", landing_context(request, version)), request, version)


def landing_context(
    request: HttpRequest, version: DatasetVersion, link: PrivateLink | None = None, token: str = ""
) -> dict[str, Any]:
    """The landing page: the record, who may download and why not, what the reader can ask for, the versions."""
    user = request.user
    decision = access.download_decision(user, version, link)
    dataset = version.dataset
    context = common.version_context(request, version) | presenting.record(version, request.LANGUAGE_CODE)
    context |= {
        "decision": decision,
        "link": link,
        "newest_id": dataset.latest_published_id,
        "pending_request": access.pending_request(user, dataset) if link is None else None,
        "grant": access.live_grant(user, dataset) if link is None else None,
        "can_share": link is None and context["insider"] and version.state != VersionState.WITHDRAWN,
        "exports": export_links(version, link),
        "discovery": discovery.landing_discovery(request, version),
        "usage": usage.landing_usage(version),
    }
    if version.state != VersionState.WITHDRAWN:
        context |= files.browser_context(request, version, link=link, token=token)
    if link is None and decision.reason == access.Reason.REQUEST_ACCESS and context["pending_request"] is None:
        context["request_form"] = AccessRequestForm()
    if link is None and decision.reason == access.Reason.EXPORT_REVIEW:
        context["export_organisations"] = list(access.foreign_organisations(user))
    return context


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
