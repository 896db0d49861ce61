"""The audit event of a change to a dataset version, recorded alike by the lifecycle and the files services."""

from __future__ import annotations

from typing import Any

from sciport.core import audit
from sciport.datasets.models import DatasetVersion


def actor_id(user: Any) -> str:
    """The acting person's public id; empty for the system (a task, or an upload finishing without a person)."""
    return getattr(user, "public_id", "") or ""


def record_version_change(
    actor: Any, action: str, version: DatasetVersion, *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None
) -> None:
    audit.record(
        actor=actor_id(actor),
        action=action,
        object_type="datasets.datasetversion",
        object_id=version.public_id,
        organisation=version.organisation.public_id,
        before=before or {},
        after=after or {},
    )
