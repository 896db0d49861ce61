"""Every API operation that names an object, tried with a token from another organisation.

The operations come from the OpenAPI document, so a new endpoint is covered the day it
is added; a new kind of path parameter fails this test until it gets a sample id below.
"""

import pytest

from sciport.accounts import services
from sciport.core.models import AuditEvent
from sciport.core.permissions import Role
from sciport.datasets.models import AccessRequest, ExportReview
from sciport.datasets.services import lifecycle, private_links
from sciport.notifications.services import notify
from sciport.testing.datasets import add_bytes, sample_metadata
from sciport.uploads.models import Upload

# Operations whose object is public, or which act only on the caller's own data.
NOT_SECRET = {
    ("get", "/api/v1/organisations/{organisation_id}"),
    ("put", "/api/v1/notifications/preferences/{kind}"),
    ("get", "/api/v1/communities/{community_id}"),
}


def _sample(schema: dict, components: dict) -> object:
    """The smallest value that passes the documented schema, so validation cannot answer first."""
    if "$ref" in schema:
        return _sample(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    if "anyOf" in schema:
        return _sample(schema["anyOf"][0], components)
    kind = schema.get("type")
    if kind == "object":
        return {
            name: _sample(prop, components)
            for name, prop in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    return {"string": "member", "boolean": True, "integer": 1, "array": []}.get(kind, "x")


@pytest.fixture
def victim(make_user, make_organisation, add_role):
    """Alice's organisation with one member, one invitation, a notification for Alice, a community and a draft dataset."""
    alice = make_user("alice@example.org")
    organisation = make_organisation(alice, name_en="Alice Lab")
    colleague = make_user()
    add_role(colleague, organisation, Role.MEMBER)
    invitation = services.invitation_create(
        actor=alice, organisation=organisation, email="new@example.org", role=Role.MEMBER
    ).invitation
    token = services.token_create(actor=alice, name="alice", scopes=["read"], expires_in_days=10).token
    upload = Upload.objects.create(owner=alice, target="dataset", length=10, expires_at=token.expires_at)
    notification = notify(kind="organisation.verified", recipients=[alice], context={"organisation_name": "Alice Lab"})[0]
    community = lifecycle.community_create(
        actor=alice, organisation=organisation, fields={"slug": "alice-data", "name_en": "Alice data"}
    )
    draft = lifecycle.dataset_create(actor=alice, community=community, metadata=sample_metadata())
    file = add_bytes(draft, "data/readings.csv", b"station,pm25\n")
    asker = make_user()
    access_request = AccessRequest.objects.create(
        dataset=draft.dataset,
        organisation=organisation,
        requester=asker,
        purpose="x",
        agreement_text="",
        agreed_at=token.created_at,
    )
    link = private_links.private_link_create(actor=alice, version=draft, label="reviewer").link
    review = ExportReview.objects.create(
        dataset=draft.dataset, organisation=organisation, requesting_organisation=organisation, requested_by=asker, purpose="x"
    )
    return {
        "community_id": community.public_id,
        "dataset_id": draft.dataset.public_id,
        "version_id": draft.public_id,
        "file_id": file.public_id,
        "request_id": access_request.public_id,
        "link_id": link.public_id,
        "review_id": review.public_id,
        "organisation_id": organisation.public_id,
        "invitation_id": invitation.public_id,
        "token_id": token.public_id,
        "upload_id": upload.public_id,
        "notification_id": notification.public_id,
        "user_id": colleague.public_id,
        "role": Role.MEMBER,
        "kind": "organisation.verified",
    }


@pytest.mark.django_db
def test_another_organisations_objects_do_not_exist_for_me(victim, make_user, make_organisation, api_for, client):
    bob = make_user("bob@example.org")
    make_organisation(bob, name_en="Bob Works")
    api = api_for(bob)
    document = client.get("/api/v1/openapi.json").json()
    components = document.get("components", {}).get("schemas", {})
    about_victim = AuditEvent.objects.filter(object_id__in=victim.values())
    events_before = about_victim.count()
    tried = []
    for path, operations in document["paths"].items():
        if "{" not in path:
            continue
        for method, operation in operations.items():
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            missing = [name for name in params if name not in victim]
            assert not missing, f"{method.upper()} {path}: give this test a sample id for {missing}"
            concrete = path.format(**{name: victim[name] for name in params}).removeprefix("/api/v1")
            body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body = _sample(body_schema, components) if body_schema else None
            response = api.request(method.upper(), concrete, json=body)
            tried.append((method, path, response.status_code))
            if (method, path) in NOT_SECRET:
                assert response.status_code < 500, (method, path, response.content)
            else:
                assert response.status_code == 404, (method, path, response.status_code, response.content)
    assert len(tried) >= 10
    assert about_victim.count() == events_before, "a refused request changed something"
