"""Two people at once on access: threads against the real database (PostgreSQL in CI)."""

import threading

import pytest

from sciport.core.errors import Conflict
from sciport.core.models import AuditEvent
from sciport.datasets.models import AccessRequest, AccessRequestState
from sciport.datasets.services import access as services
from sciport.datasets.tests.test_lifecycle_concurrency import _at_once


@pytest.mark.django_db(transaction=True)
def test_two_curators_deciding_one_request_at_once_decide_once(make_draft, publish, bank, make_user, add_role):
    version = publish(make_draft(access_level="restricted", data_use_agreement="Research only."))
    second_curator = make_user()
    add_role(second_curator, bank.organisation, "curator")
    request = services.access_request_create(
        actor=make_user(), dataset=version.dataset, purpose="A study.", accept_agreement=True
    )
    deciders = iter([(bank.curator, True), (second_curator, False)])
    lock = threading.Lock()

    def decide() -> str:
        with lock:
            curator, approve = next(deciders)
        decided = services.access_request_decide(actor=curator, access_request=request, approve=approve, message="Decided.")
        return decided.state

    results, errors = _at_once(2, decide)
    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], Conflict)
    assert AccessRequest.objects.get(pk=request.pk).state == results[0]
    assert results[0] in {AccessRequestState.APPROVED, AccessRequestState.DENIED}
    decisions = AuditEvent.objects.filter(
        object_id=request.public_id, action__in=["access_request.approve", "access_request.deny"]
    )
    assert decisions.count() == 1
