"""The daily preservation check: a bounded share of stored content, the least recently checked first.

``SCIPORT_FIXITY_DAILY_BYTES`` bounds one run, so the whole store is read over a cycle of
(stored bytes ÷ daily bytes) days. Each run queues the next one, like the embargo opening.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sciport.core.tasks import task
from sciport.datasets.models import FixityRun
from sciport.datasets.services.fixity import fixity_run
from sciport.datasets.tasks import next_run_time


@task()
def check_fixity() -> int:
    """Check today's share of stored content and queue tomorrow's run; returns how many problems were found."""
    run = fixity_run(trigger=FixityRun.Trigger.SCHEDULED, byte_budget=settings.FIXITY_DAILY_BYTES)
    schedule_fixity_check()
    return run.problems


def schedule_fixity_check() -> bool:
    """Keep one run queued for the next midnight; returns whether one was queued now."""
    path = check_fixity.module_path
    with transaction.atomic():
        if DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY, run_after__gt=timezone.now()).exists():
            return False
        check_fixity.using(run_after=next_run_time()).enqueue()
    return True
