"""The inbox and the delivery preferences, as pages (htmx swaps single entries when it is there)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sciport.notifications import selectors, services
from sciport.web.errors import page_errors

INBOX_PAGE_SIZE = 20


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    entries = selectors.inbox(request.user)
    if request.GET.get("unread"):
        entries = entries.filter(read_at__isnull=True)
    page = Paginator(entries, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "unread_only": bool(request.GET.get("unread"))})


@require_POST
@login_required
@page_errors
def mark_read(request: HttpRequest, notification_id: str) -> HttpResponse:
    notification = services.notification_mark_read(actor=request.user, public_id=notification_id)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "notifications/_entry_swap.html",
            {"notification": notification, "unread_notifications": selectors.unread_count(request.user)},
        )
    return redirect(reverse("notifications:inbox") + f"#{notification.public_id}")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = services.notification_mark_all_read(actor=request.user)
    if changed:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:inbox")


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def preferences(request: HttpRequest) -> HttpResponse:
    """One row per kind with two checkboxes; an unticked box is simply absent from the POST."""
    rows = selectors.preferences(request.user)
    if request.method == "POST":
        for kind, _label, _inbox, _email in rows:
            services.preference_set(
                actor=request.user,
                kind=kind,
                inbox=f"{kind}:inbox" in request.POST,
                email=f"{kind}:email" in request.POST,
            )
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"rows": rows})
