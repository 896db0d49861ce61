"""What every page's shell needs: the person's organisations, the active one, unread count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sciport.accounts import selectors as account_selectors
from sciport.accounts.session import active_organisation
from sciport.notifications import selectors as notification_selectors


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_organisations": account_selectors.organisations_of(user),
        "active_organisation": active_organisation(request),
        "unread_notifications": notification_selectors.unread_count(user),
    }
