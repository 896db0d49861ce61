"""Double clicks and two people at once: threads against the real database (PostgreSQL in CI)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from sciport.core.errors import Conflict
from sciport.datasets.models import DatasetVersion, VersionState
from sciport.datasets.services import lifecycle


def _at_once(count: int, action: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run() -> None:
        try:
            barrier.wait()
            results.append(action())
        except BaseException as error:  # noqa: BLE001 - collected and asserted by the tests
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_new_version_clicks_open_one_draft(make_draft, publish, bank):
    v1 = publish(make_draft())
    results, errors = _at_once(4, lambda: lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset).pk)
    assert errors == []
    assert len(set(results)) == 1
    assert DatasetVersion.objects.filter(dataset=v1.dataset, state=VersionState.DRAFT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_curators_publishing_at_once_publish_once(make_draft, bank, make_user, add_role):
    second_curator = make_user()
    add_role(second_curator, bank.organisation, "curator")
    version = lifecycle.version_transition(actor=bank.depositor, version=make_draft(), event="submit")
    curators = iter([bank.curator, second_curator])
    lock = threading.Lock()

    def publish_once() -> str:
        with lock:
            curator = next(curators)
        return lifecycle.version_transition(actor=curator, version=version, event="publish").state

    results, errors = _at_once(2, publish_once)
    assert results == [VersionState.PUBLISHED]
    assert len(errors) == 1
    assert isinstance(errors[0], Conflict)
