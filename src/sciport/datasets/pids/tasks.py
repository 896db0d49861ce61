"""Registry calls for identifiers, in the background and retried until the registry answers."""

from __future__ import annotations

from django.db import transaction

from sciport.core.tasks import task
from sciport.datasets.models import DatasetVersion, PidStatus

ACTIONS = ("reserve", "register", "update")


def schedule_pid_sync(version: DatasetVersion, action: str) -> None:
    """Queue ``action`` for the version's identifiers once the surrounding transaction commits."""
    if action not in ACTIONS:
        raise ValueError(f"unknown identifier action {action!r}")
    public_id = version.public_id
    transaction.on_commit(lambda: sync_pid.enqueue(public_id, action))


@task()
def sync_pid(version_public_id: str, action: str) -> None:
    """Tell the registry about a version's identifier and, with it, the concept identifier."""
    from sciport.datasets.pids import provider
    from sciport.datasets.pids.records import concept_record, version_record

    version = DatasetVersion.objects.select_related("dataset").filter(public_id=version_public_id).first()
    if version is None:  # a discarded draft: nothing to tell
        return
    registry = provider()
    call = getattr(registry, action)
    call(version_record(version))
    if action == "register":
        # Registered only once the registry said so; until then the identifier is reserved.
        DatasetVersion.objects.filter(pk=version.pk).update(pid_status=PidStatus.REGISTERED)
    if action == "reserve" and version.version_number == 1:
        registry.reserve(concept_record(version.dataset))
    elif action in ("register", "update") and version.dataset.latest_published_id == version.pk:
        # The concept identifier follows the newest published version.
        call_concept = getattr(registry, action)
        call_concept(concept_record(version.dataset))
