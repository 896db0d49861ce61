"""/api/v1/notifications: the inbox and delivery preferences."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from sciport.core.pagination import Page, page_out
from sciport.notifications import schemas, selectors, services
from sciport.notifications.kinds import KINDS
from sciport.notifications.models import Notification

router = Router(tags=["notifications"])


def _out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.public_id,
        "kind": notification.kind,
        "subject": notification.subject,
        "body": notification.body,
        "url": notification.url,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@router.get("/notifications", response=Page[schemas.NotificationOut], summary="My inbox, newest first")
def notification_list(request: HttpRequest, unread: bool = False, cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    entries = selectors.inbox(request.user)
    if unread:
        entries = entries.filter(read_at__isnull=True)
    return page_out(entries, cursor=cursor, limit=limit, newest_first=True, out=_out)


@router.get("/notifications/unread-count", response=schemas.UnreadOut, summary="How many inbox entries are unread")
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(request.user)}


@router.post("/notifications/{notification_id}/read", response=schemas.NotificationOut, summary="Mark one entry read")
def notification_read(request: HttpRequest, notification_id: str) -> dict[str, Any]:
    return _out(services.notification_mark_read(actor=request.user, public_id=notification_id))


@router.post("/notifications/read-all", response=schemas.UnreadOut, summary="Mark the whole inbox read")
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    services.notification_mark_all_read(actor=request.user)
    return {"unread": 0}


@router.get("/notifications/preferences", response=list[schemas.PreferenceOut], summary="Delivery choices per kind")
def preference_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"kind": k, "label": label, "inbox": i, "email": e} for k, label, i, e in selectors.preferences(request.user)]


@router.put("/notifications/preferences/{kind}", response=schemas.PreferenceOut, summary="Choose inbox and/or e-mail for a kind")
def preference_set(request: HttpRequest, kind: str, payload: schemas.PreferenceIn) -> dict[str, Any]:
    preference = services.preference_set(actor=request.user, kind=kind, inbox=payload.inbox, email=payload.email)
    return {"kind": kind, "label": str(KINDS[kind]), "inbox": preference.inbox, "email": preference.email}
