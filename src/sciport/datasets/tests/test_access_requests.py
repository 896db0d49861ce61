"""Restricted access through the API: a stranger asks, the owner's curators decide, the grant opens and ends."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sciport.core.models import AuditEvent
from sciport.datasets.models import AccessRequest
from sciport.datasets.tests.access_helpers import freeze, person_of
from sciport.notifications.models import Notification

pytestmark = pytest.mark.django_db
DUA = "Use for research only; do not re-identify anyone."


@pytest.fixture
def restricted(make_draft, publish):
    return publish(make_draft(access_level="restricted", data_use_agreement=DUA))


@pytest.fixture
def stranger(make_user, make_organisation):
    return person_of(make_user, make_organisation)


def _ask(api, version, **body):
    return api.post(
        f"/datasets/{version.dataset.public_id}/access-requests",
        {"purpose": "Compare with our own stations.", "accept_agreement": True, **body},
    )


def _access(api, version):
    response = api.get(f"/versions/{version.public_id}/access")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_stranger_asks_a_curator_approves_and_the_files_open(restricted, bank, stranger, api_for):
    asker, curator = api_for(stranger), api_for(bank.curator)
    before = _access(asker, restricted)
    assert before["can_download"] is False
    assert before["reason"] == "request_access"
    assert before["data_use_agreement"] == DUA

    asked = _ask(asker, restricted)
    assert asked.status_code == 201, asked.content
    request = asked.json()
    assert request["state"] == "pending"
    assert request["agreement_text"] == DUA
    assert _access(asker, restricted)["pending_request_id"] == request["id"]
    told = Notification.objects.get(recipient=bank.curator, kind="dataset.access_requested")
    assert "Compare with our own stations." in told.body

    inbox = curator.get("/access-requests?state=pending").json()["items"]
    assert [r["id"] for r in inbox] == [request["id"]]
    approved = curator.post(f"/access-requests/{request['id']}/decision", {"approve": True, "message": "Welcome."})
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    assert _access(asker, restricted)["can_download"] is True
    assert Notification.objects.filter(recipient=stranger, kind="dataset.access_approved").exists()
    actions = set(AuditEvent.objects.filter(object_id=request["id"]).values_list("action", flat=True))
    assert actions == {"access_request.create", "access_request.approve"}


def test_a_grant_stops_when_it_expires(restricted, bank, stranger, api_for, monkeypatch):
    asker = api_for(stranger)
    request = _ask(asker, restricted).json()
    ends = timezone.now() + timedelta(days=7)  # within the test token's life
    api_for(bank.curator).post(f"/access-requests/{request['id']}/decision", {"approve": True, "expires_at": ends.isoformat()})
    assert _access(asker, restricted)["grant_expires_at"] is not None
    assert _access(asker, restricted)["can_download"] is True
    freeze(monkeypatch, ends + timedelta(seconds=1))
    after = _access(asker, restricted)
    assert after["can_download"] is False
    assert after["reason"] == "request_access"


def test_a_denial_needs_a_message_and_reaches_the_requester(restricted, bank, stranger, api_for):
    request = _ask(api_for(stranger), restricted).json()
    curator = api_for(bank.curator)
    silent = curator.post(f"/access-requests/{request['id']}/decision", {"approve": False})
    assert silent.status_code == 422
    assert silent.json()["errors"][0]["field"] == "message"
    denied = curator.post(f"/access-requests/{request['id']}/decision", {"approve": False, "message": "Students only."})
    assert denied.json()["state"] == "denied"
    mail = Notification.objects.get(recipient=stranger, kind="dataset.access_denied")
    assert "Students only." in mail.body
    again = curator.post(f"/access-requests/{request['id']}/decision", {"approve": True})
    assert again.status_code == 409


def test_one_pending_request_per_person_and_dataset(restricted, stranger, api_for):
    asker = api_for(stranger)
    assert _ask(asker, restricted).status_code == 201
    second = _ask(asker, restricted)
    assert second.status_code == 409
    assert AccessRequest.objects.filter(requester=stranger).count() == 1


def test_the_agreement_must_be_accepted_and_the_purpose_given(restricted, stranger, api_for):
    refused = _ask(api_for(stranger), restricted, accept_agreement=False, purpose=" ")
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"purpose", "accept_agreement"}
    assert not AccessRequest.objects.exists()


def test_open_data_needs_no_request(make_draft, publish, stranger, api_for):
    open_data = publish(make_draft())
    assert _ask(api_for(stranger), open_data).status_code == 409


def test_insiders_need_no_request(restricted, bank, api_for):
    assert _ask(api_for(bank.depositor), restricted).status_code == 409


def test_the_requester_withdraws_and_a_curator_revokes(restricted, bank, stranger, api_for):
    asker, curator = api_for(stranger), api_for(bank.curator)
    first = _ask(asker, restricted).json()
    withdrawn = asker.delete(f"/access-requests/{first['id']}")
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["state"] == "withdrawn"
    assert curator.get("/access-requests?state=pending").json()["items"] == []

    second = _ask(asker, restricted).json()
    curator.post(f"/access-requests/{second['id']}/decision", {"approve": True})
    assert asker.delete(f"/access-requests/{second['id']}").status_code == 409  # a grant is the curators' to revoke
    revoked = curator.delete(f"/access-requests/{second['id']}?message=Misuse")
    assert revoked.json()["state"] == "revoked"
    assert _access(asker, restricted)["can_download"] is False
    assert "Misuse" in Notification.objects.get(recipient=stranger, kind="dataset.access_revoked").body
    assert AuditEvent.objects.filter(object_id=first["id"], action="access_request.withdraw").exists()
    assert AuditEvent.objects.filter(object_id=second["id"], action="access_request.revoke").exists()
    mine = asker.get("/my/access-requests").json()["items"]
    assert [r["state"] for r in mine] == ["revoked", "withdrawn"]


def test_another_organisations_curator_cannot_see_or_approve(restricted, stranger, make_bank, api_for):
    request = _ask(api_for(stranger), restricted).json()
    other = api_for(make_bank().curator)
    assert other.get("/access-requests").json()["items"] == []
    assert other.get(f"/access-requests/{request['id']}").status_code == 404
    assert other.post(f"/access-requests/{request['id']}/decision", {"approve": True}).status_code == 404
    assert other.delete(f"/access-requests/{request['id']}").status_code == 404
    assert AccessRequest.objects.get(public_id=request["id"]).state == "pending"


@pytest.fixture
def manager(bank, make_user, add_role):
    """A manager and nothing else (the bank's manager also administers the organisation)."""
    person = make_user()
    add_role(person, bank.organisation, "manager")
    return person


def test_only_curators_decide_in_the_owner_organisation(restricted, bank, stranger, manager, api_for):
    request = _ask(api_for(stranger), restricted).json()
    decide = f"/access-requests/{request['id']}/decision"
    assert api_for(manager).get(f"/access-requests/{request['id']}").status_code == 200  # managers follow requests
    assert api_for(manager).post(decide, {"approve": True}).status_code == 403
    assert api_for(bank.depositor).post(decide, {"approve": True}).status_code == 404  # members do not see them
    assert api_for(stranger).post(decide, {"approve": True}).status_code == 404
    assert AccessRequest.objects.get(public_id=request["id"]).state == "pending"


@pytest.mark.parametrize("expires_at", ["2001-01-01T00:00:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59+00:00"])
def test_an_expiry_in_the_past_or_beyond_the_calendar_is_a_field_error(restricted, bank, stranger, api_for, expires_at):
    request = _ask(api_for(stranger), restricted).json()
    refused = api_for(bank.curator).post(
        f"/access-requests/{request['id']}/decision", {"approve": True, "expires_at": expires_at}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "expires_at"


def test_anonymous_callers_are_told_to_sign_in(restricted, api_for):
    seen = _access(api_for(None), restricted)
    assert seen["reason"] == "sign_in"
    assert seen["message"]
