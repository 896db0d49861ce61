"""Reviewer private links: made by insiders, the token shown once, anonymous landing page and files, revocable, expiring."""

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sciport.core.models import AuditEvent
from sciport.datasets.models import PrivateLink
from sciport.datasets.services import private_links
from sciport.datasets.tests.access_helpers import freeze

pytestmark = pytest.mark.django_db


def _issue(api, version, **body):
    response = api.post(f"/versions/{version.public_id}/private-links", {"label": "Journal of Air, MS-2026-17", **body})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_private_link_opens_a_draft_anonymously_until_revoked(make_draft, bank, api_for):
    draft = make_draft(access_level="private")
    issued = _issue(api_for(bank.depositor), draft)
    assert issued["url"].endswith(f"/data/review/{issued['token']}/")
    reviewer, anonymous = Client(), api_for(None)

    page = reviewer.get(f"/data/review/{issued['token']}/")
    assert page.status_code == 200
    assert "长三角空气质量数据 2025" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    access = anonymous.get(f"/versions/{draft.public_id}/access?link={issued['token']}").json()
    assert access["can_download"] is True
    assert anonymous.get(f"/versions/{draft.public_id}/access").status_code == 404  # without the link, no draft

    assert api_for(bank.curator).delete(f"/private-links/{issued['id']}").status_code == 204
    assert reviewer.get(f"/data/review/{issued['token']}/").status_code == 404
    assert anonymous.get(f"/versions/{draft.public_id}/access?link={issued['token']}").status_code == 404
    actions = set(AuditEvent.objects.filter(object_id=issued["id"]).values_list("action", flat=True))
    assert actions == {"private_link.create", "private_link.revoke"}


def test_only_the_tokens_hash_is_kept_and_the_token_is_shown_once(make_draft, bank, api_for):
    draft = make_draft()
    api = api_for(bank.depositor)
    issued = _issue(api, draft)
    stored = PrivateLink.objects.get(public_id=issued["id"])
    assert stored.token_hash == hashlib.sha256(issued["token"].encode()).hexdigest()
    listed = api.get(f"/versions/{draft.public_id}/private-links").json()
    assert [link["id"] for link in listed] == [issued["id"]]
    assert "token" not in listed[0]
    assert not AuditEvent.objects.filter(after__icontains=issued["token"]).exists()


def test_an_expired_link_is_not_found(make_draft, bank, api_for, monkeypatch):
    draft = make_draft()
    ends = timezone.now() + timedelta(days=7)
    issued = _issue(api_for(bank.depositor), draft, expires_at=ends.isoformat())
    assert Client().get(f"/data/review/{issued['token']}/").status_code == 200
    freeze(monkeypatch, ends + timedelta(seconds=1))
    assert Client().get(f"/data/review/{issued['token']}/").status_code == 404


def test_last_use_is_kept_to_the_minute(make_draft, bank, monkeypatch):
    issued = private_links.private_link_create(actor=bank.depositor, version=make_draft(), label="")
    first = timezone.now()
    freeze(monkeypatch, first)
    private_links.link_from_token(issued.token)
    freeze(monkeypatch, first + timedelta(seconds=30))
    private_links.link_from_token(issued.token)
    issued.link.refresh_from_db()
    assert issued.link.last_used_at == first
    freeze(monkeypatch, first + timedelta(seconds=61))
    private_links.link_from_token(issued.token)
    issued.link.refresh_from_db()
    assert issued.link.last_used_at == first + timedelta(seconds=61)


@pytest.fixture
def published(make_draft, publish):
    return publish(make_draft())


def test_outsiders_cannot_make_or_revoke_links(published, bank, make_bank, make_user, api_for):
    version = published
    issued = _issue(api_for(bank.depositor), version)
    stranger = api_for(make_user())
    assert stranger.post(f"/versions/{version.public_id}/private-links", {"label": "x"}).status_code == 404
    assert stranger.get(f"/versions/{version.public_id}/private-links").status_code == 404
    assert api_for(make_bank().curator).delete(f"/private-links/{issued['id']}").status_code == 404
    assert PrivateLink.objects.get(public_id=issued["id"]).revoked_at is None


def test_a_link_cannot_end_in_the_past(make_draft, bank, api_for):
    refused = api_for(bank.depositor).post(
        f"/versions/{make_draft().public_id}/private-links", {"label": "x", "expires_at": "2020-01-01T00:00:00+08:00"}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "expires_at"


def test_a_made_up_token_is_not_found(db):
    assert Client().get("/data/review/not-a-token/").status_code == 404
    assert private_links.link_from_token("x" * 5000) is None
