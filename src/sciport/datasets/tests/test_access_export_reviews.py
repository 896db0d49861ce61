"""Important data and organisations outside China: refused until platform staff approve an export review."""

import pytest

from sciport.core.models import AuditEvent
from sciport.datasets.models import ExportReview
from sciport.datasets.tests.access_helpers import person_of
from sciport.notifications.models import Notification

pytestmark = pytest.mark.django_db
DUA = "Research use only."


@pytest.fixture
def important(make_draft, publish):
    return publish(make_draft(classification="important", access_level="restricted", data_use_agreement=DUA))


@pytest.fixture
def abroad(make_user, make_organisation):
    return person_of(make_user, make_organisation, "DE")


def _access(api, version):
    return api.get(f"/versions/{version.public_id}/access").json()


def test_important_data_is_refused_abroad_until_an_export_review_is_approved(important, bank, abroad, make_user, api_for):
    staff = make_user(staff=True)
    asker, curator, platform = api_for(abroad), api_for(bank.curator), api_for(staff)
    request = asker.post(
        f"/datasets/{important.dataset.public_id}/access-requests", {"purpose": "Joint study.", "accept_agreement": True}
    ).json()
    curator.post(f"/access-requests/{request['id']}/decision", {"approve": True})
    refused = _access(asker, important)
    assert refused["can_download"] is False
    assert refused["reason"] == "export_review"

    asked = asker.post(f"/datasets/{important.dataset.public_id}/export-reviews", {"purpose": "Joint study in Berlin."})
    assert asked.status_code == 201, asked.content
    review = asked.json()
    assert review["state"] == "pending"
    assert Notification.objects.filter(recipient=staff, kind="dataset.export_review_requested").exists()
    assert [r["id"] for r in platform.get("/export-reviews?state=pending").json()["items"]] == [review["id"]]
    assert _access(asker, important)["can_download"] is False

    decided = platform.post(f"/export-reviews/{review['id']}/decision", {"approve": True, "message": "Approved."})
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "approved"
    assert _access(asker, important)["can_download"] is True
    assert Notification.objects.filter(recipient=abroad, kind="dataset.export_approved").exists()
    actions = set(AuditEvent.objects.filter(object_id=review["id"]).values_list("action", flat=True))
    assert actions == {"export_review.create", "export_review.approved"}


def test_only_platform_staff_decide(important, bank, abroad, make_bank, api_for):
    review = api_for(abroad).post(f"/datasets/{important.dataset.public_id}/export-reviews", {"purpose": "Study."}).json()
    assert api_for(bank.curator).post(f"/export-reviews/{review['id']}/decision", {"approve": True}).status_code == 403
    assert api_for(abroad).post(f"/export-reviews/{review['id']}/decision", {"approve": True}).status_code == 404
    assert api_for(make_bank().curator).post(f"/export-reviews/{review['id']}/decision", {"approve": True}).status_code == 404
    assert ExportReview.objects.get(public_id=review["id"]).state == "pending"


def test_a_rejection_needs_a_message_and_reaches_the_requester(important, abroad, make_user, api_for):
    review = api_for(abroad).post(f"/datasets/{important.dataset.public_id}/export-reviews", {"purpose": "Study."}).json()
    platform = api_for(make_user(staff=True))
    assert platform.post(f"/export-reviews/{review['id']}/decision", {"approve": False}).status_code == 422
    rejected = platform.post(f"/export-reviews/{review['id']}/decision", {"approve": False, "message": "Not permitted."})
    assert rejected.json()["state"] == "rejected"
    assert "Not permitted." in Notification.objects.get(recipient=abroad, kind="dataset.export_rejected").body
    assert _access(api_for(abroad), important)["reason"] == "export_review"


def test_one_pending_review_per_organisation_and_dataset(important, abroad, api_for):
    asker = api_for(abroad)
    path = f"/datasets/{important.dataset.public_id}/export-reviews"
    assert asker.post(path, {"purpose": "Study."}).status_code == 201
    assert asker.post(path, {"purpose": "Again."}).status_code == 409


def test_a_domestic_organisation_needs_no_review(important, api_for, make_user, make_organisation):
    home = person_of(make_user, make_organisation, "CN")
    assert api_for(home).post(f"/datasets/{important.dataset.public_id}/export-reviews", {"purpose": "x"}).status_code == 409


def test_data_that_is_not_important_needs_no_review(make_draft, publish, abroad, api_for):
    ordinary = publish(make_draft())
    assert api_for(abroad).post(f"/datasets/{ordinary.dataset.public_id}/export-reviews", {"purpose": "x"}).status_code == 409


def test_someone_in_two_foreign_organisations_names_one(important, make_user, make_organisation, add_role, api_for):
    person = person_of(make_user, make_organisation, "DE")
    second = make_organisation(make_user(), country="JP")
    add_role(person, second, "member")
    path = f"/datasets/{important.dataset.public_id}/export-reviews"
    unnamed = api_for(person).post(path, {"purpose": "x"})
    assert unnamed.status_code == 422
    assert unnamed.json()["errors"][0]["field"] == "organisation_id"
    named = api_for(person).post(path, {"purpose": "x", "organisation_id": second.public_id})
    assert named.status_code == 201
    assert named.json()["requesting_organisation_id"] == second.public_id
