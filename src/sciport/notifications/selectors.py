"""Reads of the inbox and preferences."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sciport.notifications.kinds import KINDS
from sciport.notifications.models import Notification, NotificationPreference


def inbox(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, in_inbox=True).order_by("-id")


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, in_inbox=True, read_at__isnull=True).count()


def preferences(user: Any) -> list[tuple[str, str, bool, bool]]:
    """(kind, label, inbox, email) for every kind, defaults filled in."""
    chosen = {pref.kind: pref for pref in NotificationPreference.objects.filter(user=user)}
    rows = []
    for kind, label in KINDS.items():
        pref = chosen.get(kind)
        rows.append((kind, str(label), pref.inbox if pref else True, pref.email if pref else True))
    return rows
