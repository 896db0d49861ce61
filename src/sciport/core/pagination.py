"""Cursor pagination: keyset on the primary key, so pages stay stable while rows are added."""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema

from sciport.core.errors import FieldError, ValidationFailed

M = TypeVar("M", bound=Model)
T = TypeVar("T")
MAX_LIMIT = 200


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True)
class Window(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode(last_pk: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": last_pk}).encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
        if not isinstance(value, int) or value < 0:
            raise ValueError
        return value
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(errors=[FieldError("cursor", _("This cursor is not one we gave out."))]) from None


def paginate(queryset: QuerySet[M], *, cursor: str | None, limit: int, newest_first: bool = False) -> Window[M]:
    """One page after ``cursor``; ordering is by primary key, ascending or newest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(errors=[FieldError("limit", _("Ask for between 1 and %d items.") % MAX_LIMIT)])
    ordered = queryset.order_by("-pk" if newest_first else "pk")
    if cursor:
        after = _decode(cursor)
        ordered = ordered.filter(pk__lt=after) if newest_first else ordered.filter(pk__gt=after)
    rows = list(ordered[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Window(rows, _encode(int(rows[-1].pk)) if has_more and rows else None)


def paginate_from_query(queryset: QuerySet[M], request: HttpRequest, *, limit: int, newest_first: bool = False) -> Window[M]:
    """The page a page view was asked for by ``?cursor=``; a cursor we did not give out shows the first page."""
    try:
        return paginate(queryset, cursor=request.GET.get("cursor") or None, limit=limit, newest_first=newest_first)
    except ValidationFailed:
        return paginate(queryset, cursor=None, limit=limit, newest_first=newest_first)


def page_out(
    queryset: QuerySet[M], *, cursor: str | None, limit: int, newest_first: bool = False, out: Callable[[M], Any]
) -> dict[str, Any]:
    """One page in the shape of ``Page``: the rows of ``paginate`` turned into API bodies by ``out``."""
    window = paginate(queryset, cursor=cursor, limit=limit, newest_first=newest_first)
    return {"items": [out(row) for row in window.items], "next_cursor": window.next_cursor}
