"""Background tasks on django-tasks' database backend, with retries so a failure is never lost.

A failed task is recorded by django-tasks (status, traceback). We then queue it again
with exponential back-off, up to ``TASK_MAX_ATTEMPTS``; after the last attempt the
platform administrators are told. ``requeue_stale`` puts back tasks whose worker died.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus
from django_tasks import task as django_task
from django_tasks.signals import task_finished

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def task(*, queue_name: str = "default", priority: int = 0) -> Callable[[F], Any]:
    """Declare a background task; its arguments must be JSON-serialisable."""
    return django_task(queue_name=queue_name, priority=priority)


def retry_delay(attempt: int) -> timedelta:
    """Exponential back-off: base, 2×base, 4×base… after the 1st, 2nd, 3rd failure."""
    return timedelta(seconds=settings.TASK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def _on_task_finished(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
    if task_result.status != TaskResultStatus.FAILED:
        return
    from sciport.core.models import TaskAttempt

    previous = TaskAttempt.objects.filter(retry_task_id=str(task_result.id)).first()
    attempt = (previous.attempt if previous else 0) + 1
    errors = task_result.errors
    error_text = errors[-1].traceback if errors else ""
    module_path = task_result.task.module_path
    gives_up = attempt >= settings.TASK_MAX_ATTEMPTS
    # One transaction: the attempt row (unique per failed task) and the retry commit
    # together, so a second call for the same failure queues nothing more.
    with transaction.atomic():
        record, created = TaskAttempt.objects.get_or_create(
            failed_task_id=str(task_result.id),
            defaults={"task_path": module_path, "attempt": attempt, "gave_up": gives_up, "error": error_text},
        )
        if not created:
            return
        if gives_up:
            logger.error("task %s gave up after %s attempts", module_path, attempt)
            _tell_administrators(module_path, attempt, error_text)
            return
        retry = task_result.task.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
            *task_result.args, **task_result.kwargs
        )
        record.retry_task_id = str(retry.id)
        record.save(update_fields=["retry_task_id"])
    logger.warning("task %s failed (attempt %s); retry %s queued", module_path, attempt, retry.id)


def _tell_administrators(task_path: str, attempts: int, error: str) -> None:
    from django.contrib.auth import get_user_model

    from sciport.notifications.services import notify

    admins = get_user_model().objects.filter(is_superuser=True, is_active=True)
    notify(
        kind="system.task_failed",
        recipients=list(admins),
        context={"task_path": task_path, "attempts": attempts, "error": error[-2000:]},
    )


def connect_retry_handler() -> None:
    task_finished.connect(_on_task_finished, dispatch_uid="sciport-task-retry")


_daily: list[Callable[[], Any]] = []


def register_daily(schedule: Callable[[], Any]) -> None:
    """An app's function that keeps its daily task queued; a long-running worker calls each at start."""
    if schedule not in _daily:
        _daily.append(schedule)


def schedule_daily() -> None:
    for schedule in _daily:
        schedule()


def requeue_stale() -> int:
    """Put back tasks left 'running' by a worker that vanished; returns how many."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(seconds=settings.TASK_STALE_SECONDS)
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).update(
        status=TaskResultStatus.READY, started_at=None
    )
