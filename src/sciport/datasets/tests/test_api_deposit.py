"""The deposit API as a client sees it: communities, drafts, transitions, versions, identifiers."""

import pytest

from sciport.datasets.models import DatasetVersion
from sciport.testing.datasets import add_bytes, sample_metadata

pytestmark = pytest.mark.django_db


def _draft(api, bank, **extra):
    response = api.post("/datasets", {"community_id": bank.community.public_id, "metadata": sample_metadata(), **extra})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_manager_opens_a_community_and_anyone_lists_it(bank, api_for):
    manager = api_for(bank.manager)
    created = manager.post(
        "/communities",
        {"organisation_id": bank.organisation.public_id, "slug": "ocean", "name_zh": "海洋", "review_policy": "auto_publish"},
    )
    assert created.status_code == 201, created.content
    listed = api_for(None).get(f"/communities?organisation_id={bank.organisation.public_id}").json()
    assert {c["slug"] for c in listed["items"]} == {bank.community.slug, "ocean"}


def test_a_member_cannot_open_a_community(bank, api_for):
    refused = api_for(bank.depositor).post(
        "/communities", {"organisation_id": bank.organisation.public_id, "slug": "mine", "name_en": "Mine"}
    )
    assert refused.status_code == 403


def test_a_taken_community_slug_is_a_field_error(bank, api_for):
    refused = api_for(bank.manager).post(
        "/communities", {"organisation_id": bank.organisation.public_id, "slug": bank.community.slug, "name_en": "Again"}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "slug"


def test_deposit_curate_publish_through_the_api(bank, api_for):
    depositor, curator, anonymous = api_for(bank.depositor), api_for(bank.curator), api_for(None)
    draft = _draft(depositor, bank)
    assert draft["state"] == "draft"
    assert draft["pid"].endswith(draft["id"])
    assert draft["concept_pid"].endswith(draft["dataset_id"])
    assert anonymous.get(f"/versions/{draft['id']}").status_code == 404
    add_bytes(DatasetVersion.objects.get(public_id=draft["id"]), "data/a.csv", b"x,y\n1,2\n")

    submitted = depositor.post(f"/versions/{draft['id']}/transitions", {"event": "submit"})
    assert submitted.json()["state"] == "submitted"
    queue = curator.get("/curation/queue").json()["items"]
    assert [v["id"] for v in queue] == [draft["id"]]
    published = curator.post(f"/versions/{draft['id']}/transitions", {"event": "publish"}).json()
    assert published["state"] == "published"
    assert published["is_latest"] is True

    seen = anonymous.get(f"/versions/{draft['id']}").json()
    assert seen["title_zh"] == "长三角空气质量数据 2025"
    listed = anonymous.get("/datasets").json()["items"]
    assert [v["id"] for v in listed] == [draft["id"]]


def test_an_illegal_transition_is_a_conflict_problem(bank, api_for):
    depositor = api_for(bank.depositor)
    draft = _draft(depositor, bank)
    answer = depositor.post(f"/versions/{draft['id']}/transitions", {"event": "publish"})
    assert answer.status_code == 409
    assert answer["Content-Type"] == "application/problem+json"
    assert depositor.get(f"/versions/{draft['id']}").json()["state"] == "draft"


def test_submitting_an_incomplete_draft_lists_the_missing_fields(bank, api_for):
    depositor = api_for(bank.depositor)
    draft = depositor.post("/datasets", {"community_id": bank.community.public_id}).json()
    answer = depositor.post(f"/versions/{draft['id']}/transitions", {"event": "submit"})
    assert answer.status_code == 422
    fields = {error["field"] for error in answer.json()["errors"]}
    assert {"files", "metadata.titles", "metadata.creators"} <= fields


def test_creating_a_dataset_twice_with_one_idempotency_key_makes_one(bank, api_for):
    depositor = api_for(bank.depositor)
    body = {"community_id": bank.community.public_id, "metadata": sample_metadata()}
    first = depositor.post("/datasets", body, headers={"Idempotency-Key": "deposit-1"})
    second = depositor.post("/datasets", body, headers={"Idempotency-Key": "deposit-1"})
    assert first.json()["id"] == second.json()["id"]
    assert DatasetVersion.objects.count() == 1


def test_depositing_into_another_organisations_community_is_not_found(make_bank, bank, api_for):
    other = make_bank()
    answer = api_for(other.depositor).post("/datasets", {"community_id": bank.community.public_id, "metadata": {}})
    assert answer.status_code == 404


def test_the_concept_id_resolves_to_the_newest_version(make_draft, publish, bank, api_for, client):
    v1 = publish(make_draft())
    depositor = api_for(bank.depositor)
    v2 = depositor.post(f"/datasets/{v1.dataset.public_id}/versions", {}).json()
    assert v2["version_number"] == 2
    # While v2 is a draft the concept still leads the public to v1.
    assert client.get(f"/data/{v1.dataset.public_id}/")["Location"] == f"/data/versions/{v1.public_id}/"
    publish(DatasetVersion.objects.get(public_id=v2["id"]))
    assert client.get(f"/data/{v1.dataset.public_id}/")["Location"] == f"/data/versions/{v2['id']}/"
    assert client.get(f"/pid/{v1.dataset.concept_pid}")["Location"] == f"/data/{v1.dataset.public_id}/"
    assert client.get(f"/pid/{v1.pid}")["Location"] == f"/data/versions/{v1.public_id}/"
    concept = api_for(None).get(f"/datasets/{v1.dataset.public_id}").json()
    assert concept["latest_version_id"] == v2["id"]
    assert [v["version_number"] for v in concept["versions"]] == [2, 1]


def test_a_withdrawn_version_shows_a_tombstone_with_its_reason(make_draft, publish, bank, client):
    from sciport.datasets.services import lifecycle

    version = publish(make_draft())
    lifecycle.version_transition(actor=bank.curator, version=version, event="withdraw", message="Data were fabricated.")
    page = client.get(f"/data/versions/{version.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Data were fabricated." in text
    assert version.pid in text


def test_the_curation_conversation(make_draft, bank, api_for):
    version = make_draft()
    curator, depositor = api_for(bank.curator), api_for(bank.depositor)
    depositor.post(f"/versions/{version.public_id}/transitions", {"event": "submit"})
    curator.post(f"/versions/{version.public_id}/transitions", {"event": "request_changes", "message": "Units?"})
    depositor.post(f"/versions/{version.public_id}/comments", {"body": "µg/m³, added to the description."})
    thread = depositor.get(f"/versions/{version.public_id}/comments").json()
    assert [(c["kind"], c["body"]) for c in thread] == [
        ("changes_requested", "Units?"),
        ("comment", "µg/m³, added to the description."),
    ]
