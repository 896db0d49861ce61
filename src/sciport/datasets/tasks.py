"""Background work of the Science Data Bank: ended embargoes recorded as open, once a day.

Downloads never wait for this run (they compare the embargo date at request time); it
keeps stored access levels, and so lists and facets, true. Each run queues the next
one for just after the coming midnight in the platform's time zone; ``sciport
open-embargoes`` starts the chain (and runs it at once).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sciport.core.tasks import task
from sciport.datasets.services.access import embargo_open_due

AFTER_MIDNIGHT = timedelta(minutes=1)


def next_run_time(now: datetime | None = None) -> datetime:
    """Just after the next midnight in the platform's time zone."""
    zone = timezone.get_default_timezone()
    today = timezone.localdate(now or timezone.now(), timezone=zone)
    return datetime.combine(today + timedelta(days=1), time(), tzinfo=zone) + AFTER_MIDNIGHT


@task()
def open_embargoes() -> int:
    """Open the embargoes that ended and queue tomorrow's run; returns how many opened."""
    opened = embargo_open_due()
    schedule_embargo_opening()
    return opened


def schedule_embargo_opening() -> bool:
    """Keep one run queued for the next midnight; returns whether one was queued now."""
    return keep_queued(open_embargoes)


def keep_queued(daily: Any) -> bool:
    """Queue ``daily`` for just after the next midnight unless a run is already waiting."""
    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(task_path=daily.module_path, status=TaskResultStatus.READY)
        if waiting.filter(run_after__gt=timezone.now()).exists():
            return False
        daily.using(run_after=next_run_time()).enqueue()
    return True
