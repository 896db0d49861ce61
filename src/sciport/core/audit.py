"""Append-only, hash-chained audit events.

Writers are serialised (a PostgreSQL advisory lock; SQLite's IMMEDIATE transactions)
so that every event links to exactly one predecessor and the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from sciport.core.models import AuditEvent
from sciport.core.observability import current_request_id

GENESIS_HASH = "0" * 64
_AUDIT_LOCK_KEY = 7_260_000_001


def _floats_as_text(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {key: _floats_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_floats_as_text(item) for item in value]
    return value


def _canonical(value: Any) -> Any:
    """JSON that reads back exactly as written on every database.

    PostgreSQL's jsonb rewrites numbers (1e16 comes back as 10000000000000000) and
    refuses NaN, which would break the hash of an untouched event; floats are
    therefore kept as their text. Money is integer minor units, so nothing is lost.
    """
    plain = json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False))
    return _floats_as_text(plain)


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after)."""
    keys = sorted(set(before) | set(after))
    changed = [key for key in keys if before.get(key) != after.get(key)]
    return {k: before[k] for k in changed if k in before}, {k: after[k] for k in changed if k in after}


def event_hash(event: AuditEvent) -> str:
    payload = {
        "sequence": event.sequence,
        "created_at": event.created_at.isoformat(),
        "actor": event.actor,
        "organisation": event.organisation,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "previous_hash": event.previous_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])


def record(
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    organisation: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; call inside the service's transaction so it commits with the change."""
    before_diff, after_diff = changes(_canonical(before or {}), _canonical(after or {}))
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
        event = AuditEvent(
            sequence=(last.sequence + 1) if last else 1,
            created_at=timezone.now(),
            actor=actor,
            organisation=organisation,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before_diff,
            after=after_diff,
            request_id=current_request_id.get() if current_request_id.get() != "-" else "",
            previous_hash=last.hash if last else GENESIS_HASH,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken: AuditEvent | None
    reason: str = ""


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in order; name the first event that was edited, removed or reordered."""
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return ChainReport(checked, event, f"sequence {event.sequence} follows {expected_sequence - 1}: events are missing")
        if event.previous_hash != expected_previous:
            return ChainReport(checked, event, "its previous-hash does not match the event before it")
        if event_hash(event) != event.hash:
            return ChainReport(checked, event, "its content does not match its hash: the row was edited")
        expected_previous = event.hash
        expected_sequence += 1
        checked += 1
    return ChainReport(checked, None)


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The named attributes of ``obj``, for an event's before/after."""
    return {name: getattr(obj, name) for name in fields}
