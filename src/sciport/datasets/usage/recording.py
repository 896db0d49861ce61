"""Recording views and downloads as COUNTER events, cheaply and without ever failing the reader.

What counts: readings of published versions only (drafts and versions under review are seen by
their organisation and reviewers, whose previews are not usage); robots never; a download only
when it answers with content (200, or a range from the first byte, so a download manager's later
pieces add nothing). A repeat of the same session, version, kind and item within 30 seconds is a
double click and counts once. The session is COUNTER's: the user, or a hash of address and user
agent, within one hour. Recording is one lookup and one insert; a database failure is logged and
the page or download goes on.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from django.db import DatabaseError, transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from sciport.datasets.models import DatasetVersion, UsageEvent, UsageKind, VersionState
from sciport.datasets.usage.robots import is_robot

logger = logging.getLogger(__name__)
DOUBLE_CLICK = timedelta(seconds=30)
LANDING = "landing"
ITEM_LENGTH = 40  # UsageEvent.item
COUNTED_STATUSES = (200, 206)
R = TypeVar("R", bound=HttpResponseBase)


def session_key(request: HttpRequest, at: datetime) -> str:
    """COUNTER's session: who (user id, else hashed address and user agent) and the hour."""
    user = request.user
    if getattr(user, "is_authenticated", False):
        who = f"u{user.pk}"
    else:
        seen = f"{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')}"
        who = hashlib.sha256(seen.encode()).hexdigest()[:40]
    return f"{who}|{at.astimezone(UTC).strftime('%Y-%m-%dT%H')}"


def _countable(request: HttpRequest, version: DatasetVersion) -> bool:
    return version.state == VersionState.PUBLISHED and not is_robot(request.META.get("HTTP_USER_AGENT", ""))


def clock() -> datetime:
    """The time of an event (a seam for tests that need 30 seconds or an hour to pass)."""
    return timezone.now()


def _record(request: HttpRequest, version: DatasetVersion, kind: str, item: str) -> None:
    now = clock()
    session = session_key(request, now)
    try:
        with transaction.atomic():
            repeats = UsageEvent.objects.filter(
                session=session, version=version, kind=kind, item=item, occurred_at__gte=now - DOUBLE_CLICK
            )
            if not repeats.exists():
                UsageEvent.objects.create(
                    version=version,
                    dataset_id=version.dataset_id,
                    kind=kind,
                    item=item,
                    session=session,
                    occurred_at=now,
                    month=now.astimezone(UTC).date().replace(day=1),
                )
    except DatabaseError:
        logger.warning("usage event of %s not recorded", version.public_id, exc_info=True)


def count_view(request: HttpRequest, version: DatasetVersion, item: str = LANDING) -> None:
    """An investigation: the landing page, or a read of the version's metadata (``item`` names which)."""
    if _countable(request, version):
        _record(request, version, UsageKind.INVESTIGATION, item)


def count_download(request: HttpRequest, version: DatasetVersion, item: str, response: R, *, content: bool = True) -> R:
    """A request: file content or a ZIP of the version; returns ``response`` untouched, for one-line use.

    ``content=False`` (a package without the data files) counts as an investigation instead.
    """
    starts_at_zero = request.headers.get("Range", "bytes=0-").replace(" ", "").startswith("bytes=0-")
    if response.status_code in COUNTED_STATUSES and starts_at_zero and _countable(request, version):
        _record(request, version, UsageKind.REQUEST if content else UsageKind.INVESTIGATION, item)
    return response
