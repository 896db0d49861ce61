"""``Idempotency-Key`` for POSTs that create things or move money.

The key is claimed in the same transaction as the change it guards, so the two commit
or vanish together: a request that failed leaves no trace and may be sent again, and
one that succeeded is never run a second time. Its answer is stored right after; a
retry with the same key and body gets that answer replayed (``Idempotent-Replayed:
true``); the same key with another body is refused; a retry that arrives before the
answer is stored (or after it was lost in a crash) gets 409 and changes nothing.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sciport.core.errors import Conflict, FieldError, ValidationFailed
from sciport.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_RECORD_ATTRIBUTE = "_sciport_idempotency_record"


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.body):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _principal(request: HttpRequest) -> str:
    user = getattr(request.auth, "user", None) or request.user  # type: ignore[attr-defined]
    return str(getattr(user, "public_id", "anonymous"))


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body or b""), status=record.status_code, content_type=record.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(request: HttpRequest, key: str) -> IdempotencyRecord | HttpResponse:
    """Insert the key, or answer from the request that holds it already."""
    principal = _principal(request)
    fingerprint = _fingerprint(request)
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                key=key, principal=principal, method=request.method or "", path=request.path, request_fingerprint=fingerprint
            )
    except IntegrityError:
        pass
    existing = IdempotencyRecord.objects.get(principal=principal, key=key)
    if existing.request_fingerprint != fingerprint:
        raise ValidationFailed(
            _("This Idempotency-Key was already used for a different request."),
            errors=[FieldError(HEADER, _("Use a new key for a new request."))],
        )
    if existing.status_code is not None:
        return _replay(existing)
    raise Conflict(_("A request with this Idempotency-Key was already processed; its answer is not ready. Retry shortly."))


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate an API operation; ``IdempotencyMiddleware`` stores its answer after it ran."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return view(request, *args, **kwargs)
        if len(key) > 200 or not key.isprintable():
            raise ValidationFailed(errors=[FieldError(HEADER, _("Use at most 200 printable characters."))])
        with transaction.atomic():
            claimed = _claim(request, key)
            if isinstance(claimed, HttpResponse):
                return claimed
            result = view(request, *args, **kwargs)
        setattr(request, _RECORD_ATTRIBUTE, claimed)
        return result

    return wrapper


class IdempotencyMiddleware:
    """Stores the answer of an idempotent request whose change has committed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        record: IdempotencyRecord | None = getattr(request, _RECORD_ATTRIBUTE, None)
        if record is not None and response.status_code < 500:
            record.status_code = response.status_code
            record.response_body = response.content
            record.content_type = response.get("Content-Type", "application/json")
            record.save(update_fields=["status_code", "response_body", "content_type"])
        return response
