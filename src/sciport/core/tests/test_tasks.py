"""Background tasks run by the real database worker: failures are recorded, retried, never lost."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sciport.core.models import TaskAttempt
from sciport.core.tasks import requeue_stale
from sciport.notifications.models import Notification
from sciport.testing.tasks import flaky


def run_worker_until_idle(rounds: int = 10) -> None:
    for _ in range(rounds):
        if not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists():
            return
        call_command("worker", "--batch")


@pytest.mark.django_db(transaction=True)
@override_settings(TASK_RETRY_BASE_SECONDS=0)
def test_a_failing_task_is_retried_until_it_succeeds():
    flaky.enqueue("twice", 2)
    run_worker_until_idle()
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [r.status for r in results] == [TaskResultStatus.FAILED, TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    assert results[-1].return_value == 3
    attempts = list(TaskAttempt.objects.order_by("attempt"))
    assert [a.attempt for a in attempts] == [1, 2]
    assert "planned failure 1 of 2" in attempts[0].error
    assert not any(a.gave_up for a in attempts)


@pytest.mark.django_db(transaction=True)
@override_settings(TASK_RETRY_BASE_SECONDS=0, TASK_MAX_ATTEMPTS=3)
def test_after_the_last_attempt_administrators_are_told(make_user):
    admin = make_user(staff=True)
    flaky.enqueue("forever", 99)
    run_worker_until_idle()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 3
    last = TaskAttempt.objects.get(gave_up=True)
    assert last.attempt == 3
    alert = Notification.objects.get(recipient=admin, kind="system.task_failed")
    assert "sciport.testing.tasks.flaky" in alert.subject


@pytest.mark.django_db(transaction=True)
@override_settings(TASK_RETRY_BASE_SECONDS=3600)
def test_a_retry_waits_for_its_back_off():
    flaky.enqueue("later", 1)
    call_command("worker", "--batch")
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.run_after > timezone.now() + timedelta(minutes=50)


@pytest.mark.django_db
@override_settings(TASK_STALE_SECONDS=60)
def test_a_task_left_running_by_a_dead_worker_is_queued_again():
    result = flaky.enqueue("orphan", 0)
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=5)
    )
    assert requeue_stale() == 1
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY


@pytest.mark.django_db(transaction=True)
@override_settings(TASK_RETRY_BASE_SECONDS=3600)
def test_hearing_of_the_same_failure_twice_queues_one_retry():
    from sciport.core.tasks import _on_task_finished

    flaky.enqueue("echo", 1)
    call_command("worker", "--batch")
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    _on_task_finished(sender=None, task_result=failed.task_result)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    assert TaskAttempt.objects.count() == 1
