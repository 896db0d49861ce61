"""Access pages: requesting restricted files, the curators' inbox, one's own requests, export reviews, reviewer links.

All decisions are the services' (``services.access``, ``services.private_links``,
``services.export_reviews``); these views parse forms and show the outcome.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sciport.accounts.models import User
from sciport.core.errors import Conflict, ValidationFailed
from sciport.core.pagination import paginate_from_query
from sciport.datasets.models import AccessRequestState
from sciport.datasets.selectors import access as selectors
from sciport.datasets.selectors import versions as version_selectors
from sciport.datasets.services import access as services
from sciport.datasets.services import export_reviews, private_links
from sciport.datasets.views import common
from sciport.datasets.views.landing import AccessRequestForm, landing_context
from sciport.web.errors import add_errors, page_errors

INBOX_PAGE_SIZE = 30


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # behind login_required


def _end_of_day(day: Any) -> datetime | None:
    """An expiry chosen as a date lasts to the end of that day in the platform's time zone."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)), timezone.get_default_timezone())


@require_POST
@login_required
@page_errors
def request_access(request: HttpRequest, version_id: str) -> HttpResponse:
    """Ask for a restricted dataset's files; a form with errors comes back on the landing page."""
    version = version_selectors.version_get(request.user, version_id)
    form = AccessRequestForm(request.POST)
    if form.is_valid():
        try:
            services.access_request_create(
                actor=_user(request),
                dataset=version.dataset,
                version=version,
                purpose=form.cleaned_data["purpose"],
                accept_agreement=form.cleaned_data["accept_agreement"],
            )
        except ValidationFailed as error:
            add_errors(form, error)
        except Conflict as error:
            messages.error(request, str(error))
            return redirect("datasets:version", version.public_id)
        else:
            messages.success(request, _("Your request was sent to the curators; you will be notified of their decision."))
            return redirect(reverse("datasets:version", args=[version.public_id]) + "#access")
    context = landing_context(request, version) | {"request_form": form}
    return render(request, "datasets/landing.html", context, status=422)


@require_POST
@login_required
@page_errors
def request_end(request: HttpRequest, request_id: str) -> HttpResponse:
    """The requester withdraws a pending request, or a curator revokes a grant."""
    found = selectors.access_request_get(request.user, request_id)
    try:
        services.access_request_end(actor=_user(request), access_request=found, message=request.POST.get("message", ""))
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The request was withdrawn.") if found.requester_id == request.user.pk else _("Access was revoked.")
        )
    return redirect(common.safe_next(request, reverse("datasets:my_requests")))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("deny", "deny")])
    message = forms.CharField(label=gettext_lazy("Message to the requester"), required=False, max_length=5000)
    expires_on = forms.DateField(label=gettext_lazy("Access until (optional)"), required=False)


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Requests to the curators' organisations: pending first, then the decided ones."""
    state = request.GET.get("state", AccessRequestState.PENDING)
    if state not in AccessRequestState.values:
        state = AccessRequestState.PENDING
    found = selectors.access_request_inbox(request.user, state=state)
    window = paginate_from_query(found, request, limit=INBOX_PAGE_SIZE, newest_first=True)
    context = {
        "requests": window.items,
        "next_cursor": window.next_cursor,
        "state": state,
        "states": AccessRequestState.choices,
        "form": DecisionForm(),
    }
    return render(request, "datasets/access_inbox.html", context)


@require_POST
@login_required
@page_errors
def decide(request: HttpRequest, request_id: str) -> HttpResponse:
    found = selectors.access_request_get(request.user, request_id)
    form = DecisionForm(request.POST)
    back = common.safe_next(request, reverse("datasets:access_inbox"))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.access_request_decide(
            actor=_user(request),
            access_request=found,
            approve=approve,
            message=form.cleaned_data["message"],
            expires_at=_end_of_day(form.cleaned_data["expires_on"]) if approve else None,
        )
    except (ValidationFailed, Conflict) as error:
        messages.error(request, " ".join(str(e.message) for e in error.errors) or str(error))
        return redirect(back)
    messages.success(request, _("Access approved.") if approve else _("Access denied; the requester was told why."))
    return redirect(back)


@require_GET
@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    found = selectors.access_requests_of(request.user)[:200]
    return render(request, "datasets/my_requests.html", {"requests": found})


class ExportReviewForm(forms.Form):
    purpose = forms.CharField(
        label=gettext_lazy("Purpose of the export"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


@require_POST
@login_required
@page_errors
def request_export_review(request: HttpRequest, version_id: str) -> HttpResponse:
    """A foreign organisation's member asks the platform to review an export of important data."""
    version = version_selectors.version_get(request.user, version_id)
    form = ExportReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why your organisation needs the data."))
    else:
        try:
            export_reviews.export_review_create(
                actor=_user(request), dataset=version.dataset, purpose=form.cleaned_data["purpose"]
            )
        except (ValidationFailed, Conflict) as error:
            messages.error(request, " ".join(str(e.message) for e in error.errors) or str(error))
        else:
            messages.success(request, _("The export review was requested; platform staff will decide."))
    return redirect(reverse("datasets:version", args=[version.public_id]) + "#access")


# --------------------------------------------------------------------------- reviewer links


class PrivateLinkForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("Label"),
        max_length=private_links.LABEL_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy("Who it is for, such as “Data Science Letters, manuscript DSL-2026-041”."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def private_links_page(request: HttpRequest, version_id: str) -> HttpResponse:
    """The version's reviewer links; creating one shows its secret address once, on this answer only."""
    version = version_selectors.version_get(request.user, version_id, "share")
    form = PrivateLinkForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = private_links.private_link_create(
                actor=_user(request),
                version=version,
                label=form.cleaned_data["label"],
                expires_at=_end_of_day(form.cleaned_data["expires_on"]),
            )
        except (ValidationFailed, Conflict) as error:
            add_errors(form, error)
        else:
            form = PrivateLinkForm()
    context = common.version_context(request, version) | {
        "links": selectors.private_links_of(version),
        "form": form,
        "issued": issued,
        "now": timezone.now(),
    }
    response = render(request, "datasets/private_links.html", context, status=422 if form.errors else 200)
    if issued is not None:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
@page_errors
def private_link_revoke(request: HttpRequest, link_id: str) -> HttpResponse:
    link = selectors.private_link_get(request.user, link_id)
    private_links.private_link_revoke(actor=_user(request), link=link)
    messages.success(request, _("The link was revoked; it stops working at once."))
    return redirect("datasets:private_links", link.version.public_id)


@require_GET
def reviewer_landing(request: HttpRequest, token: str) -> HttpResponse:
    """What a private link opens, without signing in: the version's landing page and, where allowed, its files."""
    link = private_links.link_from_token(token)
    if link is None:
        raise Http404
    context = landing_context(request, link.version, link, token)
    response = render(request, "datasets/landing.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
