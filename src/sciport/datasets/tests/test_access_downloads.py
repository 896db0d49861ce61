"""Access at the door users download through: the file-content endpoint (and the ZIP of a version)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from sciport.datasets.tests.access_helpers import at, freeze, person_of

pytestmark = pytest.mark.django_db
CONTENT = b"station,pm25\nA,12\n"
DUA = "Research use only."


def _download(api, version, link=""):
    """Status and bytes of the version's one file, as a client gets them."""
    file_id = version.files.get().public_id
    response = api.get(f"/files/{file_id}/content" + (f"?link={link}" if link else ""))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


@pytest.fixture
def stranger(make_user, make_organisation):
    return person_of(make_user, make_organisation)


@pytest.fixture
def published(make_draft, publish):
    def make(**settings):
        return publish(make_draft(files={"readings.csv": CONTENT}, **settings))

    return make


def test_a_restricted_file_is_404_to_strangers_downloads_after_approval_and_stops_when_the_grant_ends(
    published, bank, stranger, api_for, monkeypatch
):
    version = published(access_level="restricted", data_use_agreement=DUA)
    asker, curator = api_for(stranger), api_for(bank.curator)
    assert _download(api_for(None), version)[0] == 404
    assert _download(asker, version)[0] == 404

    request = asker.post(
        f"/datasets/{version.dataset.public_id}/access-requests", {"purpose": "Compare stations.", "accept_agreement": True}
    ).json()
    assert _download(asker, version)[0] == 404  # asking is not having
    ends = timezone.now() + timedelta(days=3)
    curator.post(f"/access-requests/{request['id']}/decision", {"approve": True, "expires_at": ends.isoformat()})
    assert _download(asker, version) == (200, CONTENT)
    assert _download(api_for(None), version)[0] == 404  # the grant is the requester's alone

    freeze(monkeypatch, ends + timedelta(seconds=1))
    assert _download(asker, version)[0] == 404


def test_an_embargoed_file_downloads_from_its_date(published, api_for, monkeypatch):
    freeze(monkeypatch, at(2026, 2, 20, 9, 0))
    version = published(access_level="embargoed", embargo_until=date(2026, 3, 1))
    freeze(monkeypatch, at(2026, 2, 28, 23, 59))
    assert _download(api_for(None), version)[0] == 404
    freeze(monkeypatch, at(2026, 3, 1, 0, 0))
    assert _download(api_for(None), version) == (200, CONTENT)


def test_a_private_link_downloads_a_draft_anonymously_until_revoked(make_draft, bank, api_for):
    draft = make_draft(files={"readings.csv": CONTENT}, access_level="private")
    depositor, anonymous = api_for(bank.depositor), api_for(None)
    issued = depositor.post(f"/versions/{draft.public_id}/private-links", {"label": "Referee 2"}).json()
    assert _download(anonymous, draft)[0] == 404
    assert _download(anonymous, draft, link=issued["token"]) == (200, CONTENT)
    archive = anonymous.get(f"/versions/{draft.public_id}/archive.zip?link={issued['token']}")
    assert archive.status_code == 200

    depositor.delete(f"/private-links/{issued['id']}")
    assert _download(anonymous, draft, link=issued["token"])[0] == 404
    assert anonymous.get(f"/versions/{draft.public_id}/archive.zip?link={issued['token']}").status_code == 404


def test_important_data_downloads_abroad_only_after_an_export_review(published, bank, make_user, make_organisation, api_for):
    version = published(classification="important")
    abroad = person_of(make_user, make_organisation, "SG")
    home = person_of(make_user, make_organisation, "CN")
    for person in (abroad, home):
        request = api_for(person).post(
            f"/datasets/{version.dataset.public_id}/access-requests", {"purpose": "Study.", "accept_agreement": True}
        )
        api_for(bank.curator).post(f"/access-requests/{request.json()['id']}/decision", {"approve": True})
    assert _download(api_for(home), version) == (200, CONTENT)
    assert _download(api_for(abroad), version)[0] == 404

    review = api_for(abroad).post(f"/datasets/{version.dataset.public_id}/export-reviews", {"purpose": "Study."}).json()
    assert _download(api_for(abroad), version)[0] == 404
    api_for(make_user(staff=True)).post(f"/export-reviews/{review['id']}/decision", {"approve": True})
    assert _download(api_for(abroad), version) == (200, CONTENT)
