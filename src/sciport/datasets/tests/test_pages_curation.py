"""Curation and access pages: the queue, the review page and its decisions, access requests, reviewer links."""

from __future__ import annotations

import re

import pytest

from sciport.datasets.models import AccessRequest, AccessRequestState, CurationComment, PrivateLink, VersionState
from sciport.datasets.services import lifecycle
from sciport.datasets.tests.pages import client_for, text_of

pytestmark = pytest.mark.django_db


def test_the_queue_lists_submitted_deposits_of_the_curators_organisation_only(bank, make_draft, make_bank):
    version = lifecycle.version_transition(actor=bank.depositor, version=make_draft(), event="submit")
    other = make_bank()

    assert "Yangtze delta air quality 2025" in text_of(client_for(bank.curator).get("/data/curation/"))
    assert "Yangtze delta air quality 2025" not in text_of(client_for(other.curator).get("/data/curation/"))
    assert client_for(other.curator).get(f"/data/versions/{version.public_id}/curate/").status_code == 404
    assert client_for(bank.depositor).get(f"/data/versions/{version.public_id}/curate/").status_code == 403


def test_a_curator_takes_asks_for_changes_with_a_reason_and_the_depositor_sees_it(bank, make_draft):
    version = lifecycle.version_transition(actor=bank.depositor, version=make_draft(), event="submit")
    curator = client_for(bank.curator)
    assert "Take it" in text_of(curator.get(f"/data/versions/{version.public_id}/curate/"))
    curator.post(f"/data/versions/{version.public_id}/transition/", {"event": "take"})
    version.refresh_from_db()
    assert version.state == VersionState.IN_CURATION

    refused = curator.post(
        f"/data/versions/{version.public_id}/transition/", {"event": "request_changes", "message": " "}, follow=True
    )
    assert "Say why" in text_of(refused)
    version.refresh_from_db()
    assert version.state == VersionState.IN_CURATION

    curator.post(
        f"/data/versions/{version.public_id}/transition/",
        {"event": "request_changes", "message": "Please add the station list."},
    )
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT
    draft_page = text_of(client_for(bank.depositor).get(f"/data/versions/{version.public_id}/edit/"))
    assert "The curators asked for changes: Please add the station list." in draft_page

    client_for(bank.depositor).post(f"/data/versions/{version.public_id}/comments/", {"body": "Added it."})
    assert CurationComment.objects.filter(version=version, body="Added it.").exists()
    assert "Added it." in text_of(curator.get(f"/data/versions/{version.public_id}/curate/"))


def test_publishing_from_the_review_page(bank, make_draft):
    version = lifecycle.version_transition(actor=bank.depositor, version=make_draft(), event="submit")
    response = client_for(bank.curator).post(
        f"/data/versions/{version.public_id}/transition/",
        {"event": "publish", "next": f"/data/versions/{version.public_id}/"},
    )
    assert response["Location"] == f"/data/versions/{version.public_id}/"
    version.refresh_from_db()
    assert version.state == VersionState.PUBLISHED
    assert "Yangtze delta air quality 2025" in text_of(client_for().get("/data/"))


def test_a_stranger_requests_access_to_a_restricted_dataset_and_a_curator_approves(bank, make_draft, publish, make_user):
    version = publish(make_draft(access_level="restricted", data_use_agreement="Cite the dataset. Do not redistribute."))
    stranger = make_user()
    client = client_for(stranger)
    file = version.files.get()

    page = text_of(client.get(f"/data/versions/{version.public_id}/"))
    assert "Access to these files is restricted" in page
    assert "Cite the dataset. Do not redistribute." in page
    assert client.get(f"/api/v1/files/{file.public_id}/content").status_code == 404

    refused = client.post(f"/data/versions/{version.public_id}/request-access/", {"purpose": "Thesis on PM2.5."})
    assert refused.status_code == 422
    assert "Accept the data use agreement" in text_of(refused)
    client.post(f"/data/versions/{version.public_id}/request-access/", {"purpose": "Thesis on PM2.5.", "accept_agreement": "on"})
    request = AccessRequest.objects.get(requester=stranger)
    assert "is waiting for the curators" in text_of(client.get(f"/data/versions/{version.public_id}/"))

    inbox = client_for(bank.curator).get("/data/access-requests/")
    assert "Thesis on PM2.5." in text_of(inbox)
    client_for(bank.curator).post(
        f"/data/access-requests/{request.public_id}/decide/", {"decision": "approve", "expires_on": "2099-12-31"}
    )
    request.refresh_from_db()
    assert request.state == AccessRequestState.APPROVED
    assert request.expires_at is not None
    assert request.expires_at.year == 2099
    assert "You have access to the files." in text_of(client.get(f"/data/versions/{version.public_id}/"))
    assert client.get(f"/api/v1/files/{file.public_id}/content").status_code == 200
    assert "Approved" in text_of(client.get("/data/access-requests/mine/"))


def test_a_denial_needs_a_message_and_other_curators_cannot_decide(bank, make_draft, publish, make_user, make_bank):
    version = publish(make_draft(access_level="restricted", data_use_agreement="Cite it."))
    stranger = make_user()
    client_for(stranger).post(
        f"/data/versions/{version.public_id}/request-access/", {"purpose": "Curious.", "accept_agreement": "on"}
    )
    request = AccessRequest.objects.get(requester=stranger)

    outsider = make_bank().curator
    assert (
        client_for(outsider).post(f"/data/access-requests/{request.public_id}/decide/", {"decision": "approve"}).status_code
        == 404
    )
    answer = client_for(bank.curator).post(
        f"/data/access-requests/{request.public_id}/decide/", {"decision": "deny"}, follow=True
    )
    assert "Tell the requester why access is denied." in text_of(answer)
    client_for(bank.curator).post(
        f"/data/access-requests/{request.public_id}/decide/", {"decision": "deny", "message": "Not a research purpose."}
    )
    request.refresh_from_db()
    assert request.state == AccessRequestState.DENIED
    assert "Not a research purpose." in text_of(client_for(stranger).get("/data/access-requests/mine/"))


def test_a_private_link_is_shown_once_opens_the_draft_anonymously_and_stops_when_revoked(bank, make_draft):
    version = make_draft(files={"data/readings.csv": b"station,pm25\nA,12\n"})
    owner = client_for(bank.depositor)
    created = owner.post(
        f"/data/versions/{version.public_id}/private-links/", {"label": "DSL-2026-041", "expires_on": "2099-01-01"}
    )
    assert created["Cache-Control"] == "no-store"
    url = re.search(r'id="private-link-url">([^<]+)<', created.content.decode()).group(1)
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert "DSL-2026-041" in text_of(owner.get(f"/data/versions/{version.public_id}/private-links/"))
    assert url not in owner.get(f"/data/versions/{version.public_id}/private-links/").content.decode()

    reviewer = client_for()
    page = reviewer.get(f"/{path}")
    assert page.status_code == 200
    assert page["X-Robots-Tag"] == "noindex"
    assert "private reviewer link" in text_of(page)
    browse = reviewer.get(f"/{path}?folder=data")
    assert "readings.csv" in text_of(browse)
    token = path.rstrip("/").rsplit("/", 1)[1]
    file = version.files.get()
    assert reviewer.get(f"/api/v1/files/{file.public_id}/content?link={token}").status_code == 200

    link = PrivateLink.objects.get(version=version)
    owner.post(f"/data/private-links/{link.public_id}/revoke/")
    assert reviewer.get(f"/{path}").status_code == 404


def test_curation_pages_speak_chinese(bank, make_draft):
    version = lifecycle.version_transition(actor=bank.depositor, version=make_draft(), event="submit")
    queue = text_of(client_for(bank.curator, "zh-hans").get("/data/curation/"))
    review = text_of(client_for(bank.curator, "zh-hans").get(f"/data/versions/{version.public_id}/curate/"))
    assert "审核队列" in queue
    assert "发布" in review
    assert "要求修改" in review
    assert "Request changes" not in review
