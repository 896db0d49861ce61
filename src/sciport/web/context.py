"""What every page's shell needs: navigation, the person's organisations, the active one, unread count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sciport.accounts import selectors as account_selectors
from sciport.accounts.session import active_organisation
from sciport.notifications import selectors as notification_selectors
from sciport.web.parts import PARTS


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url: str
    active: bool
    planned: bool = False


def navigation(path: str) -> list[NavItem]:
    """The main menu; an item is active when the current path lies under it."""
    items = [
        NavItem(_("Home"), reverse("web:home"), path == "/"),
        NavItem(_("Directory"), reverse("accounts:directory"), path.startswith("/organisations/")),
        NavItem(_("Dashboard"), reverse("web:dashboard"), path.startswith("/dashboard/")),
    ]
    for part in PARTS:
        url = reverse(part.url_name) if part.url_name else reverse("web:part", args=[part.slug])
        items.append(NavItem(part.nav_label, url, path.startswith(url), planned=not part.url_name))
    return items


def shell(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"navigation": navigation(request.path)}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    return context | {
        "my_organisations": list(account_selectors.organisations_of(user)),
        "active_organisation": active_organisation(request),
        "unread_notifications": notification_selectors.unread_count(user),
    }
