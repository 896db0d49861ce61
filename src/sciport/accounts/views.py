"""Pages for one's profile and API tokens, the directory, organisations, members and invitations.

Views parse a form, call one service or selector, and render; every change goes
through ``sciport.accounts.services`` so pages and the API share the same checks.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sciport.accounts import selectors, services, session
from sciport.accounts.models import Invitation, Organisation, OrganisationKind, TokenScope, User, VerificationStatus
from sciport.core import permissions
from sciport.core.errors import Conflict, NotFound, ValidationFailed
from sciport.core.errors import PermissionDenied as ServicePermissionDenied
from sciport.core.pagination import paginate
from sciport.core.permissions import Role
from sciport.web.errors import add_errors, page_errors

DIRECTORY_PAGE_SIZE = 20
AUDIT_PAGE_SIZE = 25
ORCID_PATTERN = re.compile(r"^(\d{4}-){3}\d{3}[\dX]$")


def _user(request: HttpRequest) -> User:
    """The signed-in person (views using this are behind ``login_required``)."""
    return request.user  # type: ignore[return-value]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# ---------------------------------------------------------------- active organisation


@require_POST
@login_required
def organisation_switch(request: HttpRequest) -> HttpResponse:
    """Act for another of one's organisations; a foreign or unknown id changes nothing."""
    chosen = session.choose_organisation(request, request.POST.get("organisation", ""))
    if chosen is None:
        messages.error(request, _("You can only act for an organisation you belong to."))
    else:
        messages.success(request, _("You are now acting for %(name)s.") % {"name": chosen.display_name(request.LANGUAGE_CODE)})
    return redirect(_safe_next(request, reverse("web:dashboard")))


# ---------------------------------------------------------------- profile


@cache
def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=pgettext_lazy("a person's", "Name"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("How others see you, for example in member lists."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=settings.LANGUAGES, help_text=gettext_lazy("Pages and e-mails use this language.")
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=_time_zone_choices,
        help_text=gettext_lazy("Dates and times are shown in this zone."),
    )
    orcid = forms.CharField(
        label="ORCID iD",
        max_length=19,
        required=False,
        help_text=gettext_lazy("Your researcher identifier, such as 0000-0002-1825-0097."),
    )

    def clean_orcid(self) -> str:
        value: str = self.cleaned_data["orcid"].strip().removeprefix("https://orcid.org/")
        if value and not ORCID_PATTERN.match(value):
            raise forms.ValidationError(_("An ORCID iD has four groups of four digits, such as 0000-0002-1825-0097."))
        return value


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial = {"display_name": user.display_name, "language": user.language, "time_zone": user.time_zone, "orcid": user.orcid}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(actor=user, fields=form.cleaned_data)
        except ValidationFailed as error:
            add_errors(form, error)
        else:
            response = redirect("accounts:profile")
            # The language chosen here also becomes the browser's, as if picked with the switch.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax"
            )
            with translation.override(user.language):
                messages.success(request, _("Your profile was saved."))
            return response
    return render(request, "accounts/profile.html", {"form": form, "account_section": "profile"})


# ---------------------------------------------------------------- API tokens

EXPIRY_CHOICES = [
    ("7", gettext_lazy("7 days")),
    ("30", gettext_lazy("30 days")),
    ("90", gettext_lazy("90 days")),
    ("180", gettext_lazy("180 days")),
    ("366", gettext_lazy("one year")),
    ("never", gettext_lazy("never (not recommended)")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Where you will use it, such as “laptop” or “harvest script”."),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[TokenScope.READ],
        help_text=gettext_lazy("Read lets the token look; write also lets it change things in your name."),
    )
    expires_in_days = forms.ChoiceField(label=gettext_lazy("Expires after"), choices=EXPIRY_CHOICES, initial="90")


@require_GET
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": selectors.tokens_of(user), "form": TokenForm(), "account_section": "tokens"},
    )


@require_http_methods(["GET", "POST"])
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its secret once, on this response only (never stored, never redirected).

    A GET (say, after switching language on the result page) goes back to the list.
    """
    if request.method == "GET":
        return redirect("accounts:tokens")
    user = _user(request)
    form = TokenForm(request.POST)
    if form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        try:
            issued = services.token_create(
                actor=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_in_days=None if days == "never" else int(days),
            )
        except ValidationFailed as error:
            add_errors(form, error)
        else:
            response = render(request, "accounts/token_created.html", {"issued": issued, "account_section": "tokens"})
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": selectors.tokens_of(user), "form": form, "account_section": "tokens"},
        status=422,
    )


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    """GET asks for confirmation; POST revokes."""
    user = _user(request)
    token = selectors.tokens_of(user).filter(public_id=token_id).first()
    if token is None:
        raise Http404
    if request.method == "POST":
        services.token_revoke(actor=user, token_public_id=token.public_id)
        messages.success(
            request, _("The token “%(name)s” was revoked; programs using it can no longer sign in.") % {"name": token.name}
        )
        return redirect("accounts:tokens")
    return render(request, "accounts/token_revoke.html", {"token": token, "account_section": "tokens"})


# ---------------------------------------------------------------- directory and organisations


class DirectoryFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"), required=False, choices=[("", gettext_lazy("All types")), *OrganisationKind.choices]
    )
    verified = forms.BooleanField(label=gettext_lazy("Verified only"), required=False)


def _directory_search() -> Callable[..., Any] | None:
    """The full-text directory search of ``sciport.accounts.search``, when that module is installed."""
    if importlib.util.find_spec("sciport.accounts.search") is None:
        return None
    module = importlib.import_module("sciport.accounts.search")
    return getattr(module, "directory_search", None)


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Organisations by type; with words in the search box, the best matches from the search index."""
    filters = DirectoryFilter(request.GET or None)
    kind, verified_only, query = "", False, ""
    if filters.is_valid():
        kind = filters.cleaned_data["kind"]
        verified_only = filters.cleaned_data["verified"]
        query = filters.cleaned_data["q"].strip()
    search = _directory_search()
    context: dict[str, Any] = {"filters": filters, "kind": kind, "query": query, "search_available": search is not None}
    if query and search is not None:
        facet_filters = {"organisation_kind": kind, "verification": VerificationStatus.VERIFIED if verified_only else ""}
        try:
            results = search(
                request.user,
                text=query,
                kind="organisation",
                filters=facet_filters,
                language=request.LANGUAGE_CODE,
                cursor=request.GET.get("cursor") or None,
                limit=DIRECTORY_PAGE_SIZE,
            )
        except ValidationFailed:
            raise Http404 from None
        next_query = request.GET.copy()
        next_query["cursor"] = results.page.next_cursor or ""
        context |= {"hits": results.page.hits, "next_query": next_query.urlencode() if results.page.next_cursor else ""}
    else:
        organisations = selectors.organisation_list(request.user, kind=kind, verified_only=verified_only)
        query_without_page = request.GET.copy()
        query_without_page.pop("page", None)
        context |= {
            "page": Paginator(organisations, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page")),
            "querystring": query_without_page.urlencode(),
        }
    return render(request, "accounts/directory.html", context)


class OrganisationForm(forms.Form):
    name_zh = forms.CharField(label=gettext_lazy("Name in Chinese"), max_length=200, required=False)
    name_en = forms.CharField(
        label=gettext_lazy("Name in English"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Give at least one of the two names."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=[("", gettext_lazy("Choose a type")), *OrganisationKind.choices], required=False
    )
    credit_code = forms.CharField(
        label=gettext_lazy("Unified social credit code"),
        max_length=18,
        required=False,
        help_text=gettext_lazy("The 18-character code on the business licence; platform staff check it before verifying."),
    )
    country = forms.CharField(
        label=gettext_lazy("Country"), max_length=2, initial="CN", help_text=gettext_lazy("Two-letter ISO 3166 code, such as CN.")
    )
    region = forms.CharField(
        label=gettext_lazy("Region"), max_length=100, required=False, help_text=gettext_lazy("Province, city or district.")
    )
    website = forms.URLField(label=gettext_lazy("Website"), max_length=200, required=False, assume_scheme="https")
    description_zh = forms.CharField(
        label=gettext_lazy("Description in Chinese"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False
    )
    description_en = forms.CharField(
        label=gettext_lazy("Description in English"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False
    )

    def clean_credit_code(self) -> str:
        return str(self.cleaned_data["credit_code"]).strip().upper()

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()


def _organisation_page(request: HttpRequest, public_id: str, action: str = "view") -> Organisation:
    """The organisation for an action: unknown or outside one's organisations is 404, an insider without the role 403."""
    return selectors.organisation_get(request.user, public_id, action)


@require_http_methods(["GET", "POST"])
@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=_user(request), fields=form.cleaned_data)
        except (ValidationFailed, Conflict) as error:
            add_errors(form, error)
        else:
            session.choose_organisation(request, organisation.public_id)
            messages.success(
                request,
                _("%(name)s is registered and you are its administrator. Ask for verification when its profile is complete.")
                % {"name": organisation.display_name(request.LANGUAGE_CODE)},
            )
            return redirect("accounts:organisation_detail", organisation.public_id)
    return render(
        request, "accounts/organisation_form.html", {"form": form, "organisation": None}, status=422 if form.errors else 200
    )


@require_GET
@page_errors
def organisation_detail(request: HttpRequest, organisation_id: str) -> HttpResponse:
    organisation = _organisation_page(request, organisation_id)
    user = request.user
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "can_update": permissions.can(user, "update", organisation),
            "can_view_members": permissions.can(user, "view_members", organisation) and user.is_authenticated,
            "can_view_audit": permissions.can(user, "view_audit", organisation) and user.is_authenticated,
            "can_verify": permissions.can(user, "verify", organisation) and user.is_authenticated,
            "can_request_verification": organisation.verification_status
            in {VerificationStatus.UNVERIFIED, VerificationStatus.REJECTED},
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def organisation_edit(request: HttpRequest, organisation_id: str) -> HttpResponse:
    organisation = _organisation_page(request, organisation_id, "update")
    initial = {name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=_user(request), organisation=organisation, fields=form.cleaned_data)
        except (ValidationFailed, Conflict) as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("accounts:organisation_detail", organisation.public_id)
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=422 if form.errors else 200,
    )


@require_POST
@login_required
@page_errors
def organisation_request_verification(request: HttpRequest, organisation_id: str) -> HttpResponse:
    organisation = _organisation_page(request, organisation_id, "update")
    try:
        services.organisation_request_verification(actor=_user(request), organisation=organisation)
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Verification was requested; platform staff will check the organisation's details."))
    return redirect("accounts:organisation_detail", organisation.public_id)


@require_POST
@login_required
@page_errors
def organisation_verify(request: HttpRequest, organisation_id: str) -> HttpResponse:
    """Platform staff confirm (``decision=approve``) or reject an organisation."""
    organisation = _organisation_page(request, organisation_id, "verify")
    approve = request.POST.get("decision") == "approve"
    services.organisation_verify(actor=_user(request), organisation=organisation, approve=approve)
    if approve:
        messages.success(request, _("The organisation is verified; its managers were notified."))
    else:
        messages.warning(request, _("Verification was rejected; the organisation's managers were notified."))
    return redirect("accounts:organisation_detail", organisation.public_id)


# ---------------------------------------------------------------- members and invitations


class InvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.MEMBER)


def _members_page(
    request: HttpRequest, organisation: Organisation, form: InvitationForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    members = selectors.members_of(user, organisation)
    people: dict[int, dict[str, Any]] = {}
    for membership in members:
        person = people.setdefault(membership.user_id, {"user": membership.user, "roles": [], "since": membership.created_at})
        person["roles"].append(membership)
        person["since"] = min(person["since"], membership.created_at)
    can_manage = permissions.can(user, "manage_members", organisation)
    invitations: list[Invitation] = list(selectors.invitations_of(user, organisation)) if can_manage else []
    return render(
        request,
        "accounts/organisation_members.html",
        {
            "organisation": organisation,
            "people": list(people.values()),
            "can_manage": can_manage,
            "invitations": invitations,
            "form": form or InvitationForm(),
            "can_view_audit": permissions.can(user, "view_audit", organisation),
        },
        status=status,
    )


@require_GET
@login_required
@page_errors
def organisation_members(request: HttpRequest, organisation_id: str) -> HttpResponse:
    organisation = _organisation_page(request, organisation_id, "view_members")
    return _members_page(request, organisation)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def invitation_create(request: HttpRequest, organisation_id: str) -> HttpResponse:
    """POST sends an invitation; a GET (say, after switching language on an error page) shows the members page."""
    if request.method == "GET":
        return redirect("accounts:organisation_members", organisation_id)
    organisation = _organisation_page(request, organisation_id, "manage_members")
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            issued = services.invitation_create(
                actor=_user(request), organisation=organisation, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
            )
        except ValidationFailed as error:
            add_errors(form, error)
        except ServicePermissionDenied as error:
            form.add_error("role", str(error))
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s. It is valid for 14 days.") % {"email": issued.invitation.email}
            )
            return redirect(reverse("accounts:organisation_members", args=[organisation.public_id]) + "#invitations")
    return _members_page(request, organisation, form, status=422)


@require_POST
@login_required
@page_errors
def invitation_revoke(request: HttpRequest, organisation_id: str, invitation_id: str) -> HttpResponse:
    organisation = _organisation_page(request, organisation_id, "manage_members")
    invitation = selectors.invitations_of(request.user, organisation).filter(public_id=invitation_id).first()
    if invitation is None:
        messages.error(request, _("This invitation is no longer open."))
    else:
        services.invitation_revoke(actor=_user(request), invitation=invitation)
        messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect(reverse("accounts:organisation_members", args=[organisation.public_id]) + "#invitations")


@require_POST
@login_required
@page_errors
def membership_remove(request: HttpRequest, organisation_id: str) -> HttpResponse:
    organisation = _organisation_page(request, organisation_id, "manage_members")
    role = request.POST.get("role", "")
    try:
        services.membership_remove(
            actor=_user(request), organisation=organisation, user_public_id=request.POST.get("user", ""), role=role
        )
    except Conflict as error:
        messages.error(request, str(error))
    except NotFound:
        messages.error(request, _("This person no longer has this role."))
    else:
        messages.success(request, _("The role was taken away."))
    return redirect("accounts:organisation_members", organisation.public_id)


@require_http_methods(["GET", "POST"])
@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """GET explains and asks; POST accepts. Errors (withdrawn, used, expired, other address) are shown on the page."""
    error_message = ""
    if request.method == "POST":
        try:
            membership = services.invitation_accept(actor=_user(request), token=token)
        except (NotFound, Conflict, ServicePermissionDenied) as error:
            error_message = str(error)
        else:
            session.choose_organisation(request, membership.organisation.public_id)
            messages.success(
                request,
                _("Welcome to %(name)s: you joined as %(role)s.")
                % {"name": membership.organisation.display_name(request.LANGUAGE_CODE), "role": Role(membership.role).label},
            )
            return redirect("web:dashboard")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"token": token, "error_message": error_message},
        status=409 if error_message else 200,
    )


# ---------------------------------------------------------------- audit trail


@require_GET
@login_required
@page_errors
def organisation_audit(request: HttpRequest, organisation_id: str) -> HttpResponse:
    organisation = _organisation_page(request, organisation_id, "view_audit")
    try:
        window = paginate(
            selectors.audit_events_of(organisation),
            cursor=request.GET.get("cursor") or None,
            limit=AUDIT_PAGE_SIZE,
            newest_first=True,
        )
    except ValidationFailed:
        raise Http404 from None
    names = {membership.user.public_id: str(membership.user) for membership in selectors.members_of(request.user, organisation)}
    return render(
        request,
        "accounts/organisation_audit.html",
        {
            "organisation": organisation,
            "events": window.items,
            "next_cursor": window.next_cursor,
            "names": names,
            "first_page": not request.GET.get("cursor"),
        },
    )
