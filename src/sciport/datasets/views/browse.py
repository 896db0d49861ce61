"""The public face of the Science Data Bank: the list of published datasets and the communities that hold them.

Managers of an organisation open its communities here too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from sciport.accounts.models import Organisation
from sciport.accounts.selectors import organisations_of
from sciport.core import permissions
from sciport.core.errors import ValidationFailed
from sciport.core.pagination import paginate_from_query
from sciport.core.permissions import Role
from sciport.datasets.models import Community, ReviewPolicy
from sciport.datasets.selectors import versions as selectors
from sciport.datasets.services import lifecycle
from sciport.web.errors import add_errors, page_errors

PAGE_SIZE = 20


def _published_page(request: HttpRequest, community: Community | None) -> dict[str, object]:
    """One cursor page of the newest published versions, with the link to the next one."""
    community_id = community.public_id if community else ""
    versions = selectors.latest_public_versions(request.user, community_id=community_id).select_related(
        "dataset__community", "organisation"
    )
    window = paginate_from_query(versions, request, limit=PAGE_SIZE, newest_first=True)
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
    context = {
        "communities": communities,
        "community": chosen,
        "curates": any(roles & {Role.CURATOR, Role.ADMIN} for roles in permissions.roles_by_organisation(request.user).values()),
        **_published_page(request, chosen),
    }
    return render(request, "datasets/list.html", context)


@require_GET
def community_list(request: HttpRequest) -> HttpResponse:
    context = {"communities": _communities_with_counts(), "can_open_community": bool(managed_organisations(request))}
    return render(request, "datasets/communities.html", context)


@require_GET
@page_errors
def community_detail(request: HttpRequest, community_id: str) -> HttpResponse:
    community = selectors.community_get(community_id)
    context = {"community": community, **_published_page(request, community)}
    return render(request, "datasets/community.html", context)


def managed_organisations(request: HttpRequest) -> list[Organisation]:
    """The person's organisations they may open communities in (managers and administrators)."""
    return [o for o in organisations_of(request.user) if permissions.can(request.user, "update", o)]


class CommunityForm(forms.Form):
    organisation = forms.ChoiceField(label=gettext_lazy("Organisation"))
    slug = forms.CharField(
        label=gettext_lazy("Short name"),
        max_length=60,
        help_text=gettext_lazy("Letters, digits and hyphens, such as “shencheng-environment”; it cannot change later."),
    )
    name_zh = forms.CharField(label=gettext_lazy("Name in Chinese"), max_length=200, required=False)
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=200, required=False)
    description_zh = forms.CharField(
        label=gettext_lazy("Description in Chinese"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description_en = forms.CharField(
        label=gettext_lazy("Description in English"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    review_policy = forms.ChoiceField(label=gettext_lazy("Publishing"), choices=ReviewPolicy.choices, widget=forms.RadioSelect)

    def __init__(self, *args: Any, organisations: list[Organisation], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {o.public_id: o for o in organisations}
        self.fields["organisation"].choices = [(o.public_id, o.display_name(language)) for o in organisations]  # type: ignore[attr-defined]  # a ChoiceField


@require_http_methods(["GET", "POST"])
@login_required
def community_create(request: HttpRequest) -> HttpResponse:
    """Open a community (collection) of an organisation one manages, with its review policy."""
    organisations = managed_organisations(request)
    if not organisations:
        raise Http404
    form = CommunityForm(
        request.POST or None,
        initial={"review_policy": ReviewPolicy.REVIEW},
        organisations=organisations,
        language=request.LANGUAGE_CODE,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = form.organisations[data.pop("organisation")]
        try:
            community = lifecycle.community_create(actor=request.user, organisation=organisation, fields=data)  # type: ignore[arg-type]
        except ValidationFailed as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The community is open for deposits."))
            return redirect("datasets:community", community.public_id)
    return render(request, "datasets/community_form.html", {"form": form}, status=422 if form.errors else 200)
