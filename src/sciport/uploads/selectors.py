"""Reads of uploads: a person sees only their own; others' uploads do not exist for them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sciport.core.errors import NotFound
from sciport.uploads.models import Upload, UploadProtocol, UploadState

GONE = (UploadState.EXPIRED, UploadState.TERMINATED)


def upload_for_owner(user: Any, public_id: str, *, protocol: str | None = None) -> Upload:
    """The caller's own upload that still exists (not expired or terminated), else ``NotFound``."""
    uploads = Upload.objects.filter(owner_id=user.pk, public_id=public_id).exclude(state__in=GONE)
    if protocol is not None:
        uploads = uploads.filter(protocol=protocol)
    upload = uploads.first()
    if upload is None:
        raise NotFound()
    return upload


def tus_upload_for_owner(user: Any, public_id: str) -> Upload:
    return upload_for_owner(user, public_id, protocol=UploadProtocol.TUS)


def overdue(now: Any) -> QuerySet[Upload]:
    """Uploads past their expiry that still hold bytes: partial ones, and complete ones nobody consumed."""
    return Upload.objects.filter(state__in=(UploadState.RECEIVING, UploadState.COMPLETE), expires_at__lte=now)
