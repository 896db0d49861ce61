"""Depositing: start a draft in a community, edit its metadata and access settings, submit, recall, discard, new versions.

Every change goes through ``services.lifecycle``, as the API does; the page only turns
form rows into DataCite JSON (``metadata_form``) and puts the service's field errors back
on the rows they belong to.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sciport.accounts.models import User
from sciport.accounts.selectors import organisations_of
from sciport.accounts.session import active_organisation
from sciport.core import permissions
from sciport.core.errors import Conflict, ValidationFailed
from sciport.datasets.models import Community, DatasetVersion, VersionState
from sciport.datasets.selectors import access
from sciport.datasets.selectors import versions as selectors
from sciport.datasets.services import lifecycle
from sciport.datasets.views import browse, common, files
from sciport.datasets.views.metadata_form import DepositForms
from sciport.web.errors import add_errors, page_errors

S = VersionState
SETTINGS_FIELDS = ("access_level", "embargo_until", "classification", "data_use_agreement")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # behind login_required


def _depositable_communities(request: HttpRequest) -> list[Community]:
    """Communities of the person's organisations, those of the organisation they act for first."""
    user = _user(request)
    mine = list(organisations_of(user))
    acting = active_organisation(request)
    found = [c for c in selectors.communities().filter(organisation__in=mine) if permissions.can(user, "deposit", c)]
    return sorted(found, key=lambda c: (c.organisation_id != getattr(acting, "pk", None), c.organisation_id, c.pk))


class DraftStartForm(forms.Form):
    community = forms.ChoiceField(label=gettext_lazy("Community"))
    title_zh = forms.CharField(label=gettext_lazy("Title in Chinese"), max_length=500, required=False)
    title_en = forms.CharField(label=gettext_lazy("Title in English"), max_length=500, required=False)

    def __init__(self, *args: Any, communities: list[Community], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.communities = {c.public_id: c for c in communities}
        self.fields["community"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            (c.public_id, f"{c.display_name(language)} — {c.organisation.display_name(language)}") for c in communities
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("title_zh", "").strip() or data.get("title_en", "").strip()):
            self.add_error("title_zh", _("Give the dataset a Chinese or an English title; you can add the other later."))
        return data


def _first_metadata(data: dict[str, Any], community: Community, request: HttpRequest) -> dict[str, Any]:
    """The titles given, and what a citation needs that we can guess: the organisation as publisher, this year."""
    titles = [{"title": data[f"title_{lang}"].strip(), "lang": lang} for lang in ("zh", "en") if data[f"title_{lang}"].strip()]
    return {
        "titles": titles,
        "publisher": {"name": community.organisation.display_name(request.LANGUAGE_CODE)},
        "publicationYear": str(timezone.localdate().year),
        "types": {"resourceTypeGeneral": "Dataset"},
    }


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def draft_start(request: HttpRequest) -> HttpResponse:
    """Choose a community of one's organisation and a title; the draft (with reserved identifiers) comes next."""
    communities = _depositable_communities(request)
    initial = {"community": request.GET.get("community", "")}
    form = DraftStartForm(request.POST or None, initial=initial, communities=communities, language=request.LANGUAGE_CODE)
    if request.method == "POST" and form.is_valid():
        community = form.communities[form.cleaned_data["community"]]
        try:
            version = lifecycle.dataset_create(
                actor=_user(request), community=community, metadata=_first_metadata(form.cleaned_data, community, request)
            )
        except ValidationFailed as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your draft is saved. Add files and describe the data, then submit it."))
            return redirect("datasets:edit", version.public_id)
    status = 422 if form.errors else 200
    context = {"form": form, "communities": communities, "can_open_community": bool(browse.managed_organisations(request))}
    return render(request, "datasets/draft_start.html", context, status=status)


def _settings_of(version: DatasetVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in SETTINGS_FIELDS}


def _render_edit(request: HttpRequest, version: DatasetVersion, deposit_forms: DepositForms, status: int = 200) -> HttpResponse:
    context = (
        common.version_context(request, version)
        | files.browser_context(request, version)
        | {
            "forms": deposit_forms,
            "comments": selectors.comments_of(version),
            "live_link_count": sum(access.link_is_live(link) for link in access.private_links_of(version)),
        }
    )
    return render(request, "datasets/edit.html", context, status=status)


def _stored_forms(version: DatasetVersion, editable: bool) -> DepositForms:
    return DepositForms.build(version.metadata, _settings_of(version), lock_settings=version.state == S.PUBLISHED or not editable)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def edit(request: HttpRequest, version_id: str) -> HttpResponse:
    """The draft page: files, metadata and access settings, and the buttons the version's state allows.

    "Save" stores the form; "Save and submit" stores it and submits, so the page shows
    every missing field at once, each on its row. Curators correct published metadata here too.
    """
    user = _user(request)
    version = selectors.version_get(user, version_id, "edit")
    editable = common.version_context(request, version)["can_edit"]
    if request.method == "POST" and editable:
        published = version.state == S.PUBLISHED
        bound = DepositForms.build(version.metadata, _settings_of(version), request.POST, lock_settings=published)
        outcome = _save(request, version, bound, submit=request.POST.get("action") == "submit" and not published)
        return outcome or _render_edit(request, version, bound, status=422)
    return _render_edit(request, version, _stored_forms(version, editable))


def _save(request: HttpRequest, version: DatasetVersion, bound: DepositForms, *, submit: bool) -> HttpResponse | None:
    """Store the form (and submit); ``None`` when the page must show errors."""
    if not bound.is_valid():
        return None
    published = version.state == S.PUBLISHED
    settings_ = None if published else lifecycle.VersionSettings(**bound.settings())
    try:
        version = lifecycle.version_update(
            actor=_user(request), version=version, metadata=bound.metadata(version.metadata), settings_=settings_
        )
        if submit:
            version = lifecycle.version_transition(actor=_user(request), version=version, event="submit")
    except (ValidationFailed, Conflict) as error:
        bound.place_errors(error.errors)
        if not error.errors or error.detail:
            bound.general_errors.insert(0, str(error))
        return None
    if submit:
        messages.success(request, str(_submitted_message(version)))
        return redirect("datasets:version", version.public_id)
    messages.success(request, _("Saved."))
    return redirect("datasets:edit", version.public_id)


def _submitted_message(version: DatasetVersion) -> Any:
    if version.state == S.PUBLISHED:
        return _("Your dataset is published.")
    return _("Your dataset is submitted; the curators of the community will review it.")


class TransitionForm(forms.Form):
    event = forms.ChoiceField(choices=[(event, event) for event in lifecycle.EVENTS])
    message = forms.CharField(required=False, max_length=20000)


TRANSITION_MESSAGES = {
    "recall": gettext_lazy("Recalled: the version is a draft again and can be edited."),
    "take": gettext_lazy("You are curating this version."),
    "request_changes": gettext_lazy("Changes requested: the version went back to its depositor."),
    "publish": gettext_lazy("Published."),
    "withdraw": gettext_lazy("Withdrawn: the landing page now shows a tombstone."),
}


@require_POST
@login_required
@page_errors
def transition(request: HttpRequest, version_id: str) -> HttpResponse:
    """Any lifecycle button. A submit that is not ready shows the draft page with each missing field marked."""
    version = selectors.version_get(request.user, version_id)
    form = TransitionForm(request.POST)
    back = common.safe_next(request, reverse("datasets:version", args=[version.public_id]))
    if not form.is_valid():
        messages.error(request, _("Choose what to do with this version."))
        return redirect(back)
    event = form.cleaned_data["event"]
    try:
        moved = lifecycle.version_transition(
            actor=_user(request), version=version, event=event, message=form.cleaned_data["message"]
        )
    except ValidationFailed as error:
        if event == "submit":
            deposit_forms = _stored_forms(version, editable=True)
            deposit_forms.place_errors(error.errors)
            deposit_forms.general_errors.insert(0, str(error))
            return _render_edit(request, version, deposit_forms, status=422)
        messages.error(request, " ".join(str(e.message) for e in error.errors) or str(error))
        return redirect(back)
    except Conflict as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, str(_submitted_message(moved) if event == "submit" else TRANSITION_MESSAGES[event]))
    if event in ("recall", "request_changes") and not permissions.can(request.user, "curate", moved):
        return redirect("datasets:edit", moved.public_id)
    return redirect(back)


@require_POST
@login_required
@page_errors
def discard(request: HttpRequest, version_id: str) -> HttpResponse:
    version = selectors.version_get(request.user, version_id, "edit")
    try:
        lifecycle.version_discard(actor=_user(request), version=version)
    except Conflict as error:
        messages.error(request, str(error))
        return redirect("datasets:edit", version.public_id)
    messages.success(request, _("The draft was discarded."))
    return redirect("datasets:mine")


@require_POST
@login_required
@page_errors
def new_version(request: HttpRequest, dataset_id: str) -> HttpResponse:
    """A draft of the next version, with the newest published version's metadata and files (or the draft already open)."""
    dataset = selectors.dataset_get(request.user, dataset_id, "edit")
    version = lifecycle.version_new(actor=_user(request), dataset=dataset)
    messages.success(
        request, _("Version %(number)s is a draft now; the published versions stay public.") % {"number": version.version_number}
    )
    return redirect("datasets:edit", version.public_id)


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """Everything I deposited or may edit, drafts first."""
    order = {S.DRAFT: 0, S.SUBMITTED: 1, S.IN_CURATION: 2, S.PUBLISHED: 3, S.WITHDRAWN: 4}
    versions = list(selectors.my_versions(request.user).select_related("dataset__community", "organisation").distinct()[:500])
    versions.sort(key=lambda v: (order.get(S(v.state), 9), -v.pk))
    return render(
        request,
        "datasets/mine.html",
        {"versions": versions, "can_deposit": bool(_depositable_communities(request))},
    )
