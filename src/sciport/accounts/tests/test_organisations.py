"""Registering organisations, verifying them, inviting people, and paging the directory."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import close_old_connections, connection
from django.utils import timezone

from sciport.accounts import services
from sciport.accounts.models import Invitation, Membership, Organisation
from sciport.accounts.validators import uscc_check_character
from sciport.core.models import AuditEvent
from sciport.core.permissions import Role
from sciport.testing.fixtures import ApiClient

VALID_USCC = "91310115MA1H7K2Q0" + uscc_check_character("91310115MA1H7K2Q0")


@pytest.mark.django_db
def test_registering_an_organisation_makes_me_its_administrator(make_user, api_for):
    user = make_user()
    api = api_for(user)
    response = api.post("/organisations", json={"kind": "enterprise", "name_zh": "临港智造", "credit_code": VALID_USCC})
    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("org_")
    assert body["verification_status"] == "unverified"
    me = api.get("/me").json()
    assert me["memberships"] == [{"organisation_id": body["id"], "organisation_name": "临港智造", "role": "admin"}]
    event = AuditEvent.objects.get(action="organisation.create")
    assert event.actor == user.public_id
    assert event.after["credit_code"] == VALID_USCC


@pytest.mark.django_db
def test_a_credit_code_with_a_wrong_check_character_is_refused(make_user, api_for):
    wrong = VALID_USCC[:17] + ("0" if VALID_USCC[17] != "0" else "1")
    response = api_for(make_user()).post("/organisations", json={"kind": "enterprise", "name_en": "X", "credit_code": wrong})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "credit_code"


@pytest.mark.django_db
def test_a_credit_code_registers_one_organisation_only(make_user, api_for):
    api = api_for(make_user())
    assert api.post("/organisations", json={"kind": "enterprise", "name_en": "A", "credit_code": VALID_USCC}).status_code == 201
    response = api.post("/organisations", json={"kind": "enterprise", "name_en": "B", "credit_code": VALID_USCC})
    assert response.status_code == 409
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_a_double_click_with_one_idempotency_key_creates_one_organisation(make_user, api_for):
    api = api_for(make_user())
    payload = {"kind": "provider", "name_en": "Testing Centre"}
    first = api.post("/organisations", json=payload, headers={"Idempotency-Key": "click-1"})
    second = api.post("/organisations", json=payload, headers={"Idempotency-Key": "click-1"})
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    assert Organisation.objects.count() == 1
    reused = api.post("/organisations", json={**payload, "name_en": "Other"}, headers={"Idempotency-Key": "click-1"})
    assert reused.status_code == 422
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_keys_belong_to_their_caller(make_user, api_for):
    payload = {"kind": "provider", "name_en": "Same"}
    api_for(make_user()).post("/organisations", json=payload, headers={"Idempotency-Key": "k"})
    other = api_for(make_user()).post("/organisations", json=payload, headers={"Idempotency-Key": "k"})
    assert other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert Organisation.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_with_one_key_create_one_organisation(make_user):
    """Six threads send the same keyed request at once; one creates, the rest replay or wait (409)."""
    api_user = make_user()
    clients = [ApiClient(api_user) for _ in range(6)]
    statuses: list[int] = []
    barrier = threading.Barrier(len(clients))

    def send(client: ApiClient) -> None:
        try:
            barrier.wait()
            response = client.post(
                "/organisations", json={"kind": "fund", "name_en": "Fund"}, headers={"Idempotency-Key": "race"}
            )
            statuses.append(response.status_code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Organisation.objects.count() == 1
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}


@pytest.mark.django_db
def test_only_platform_staff_verify_and_managers_are_told(make_user, make_organisation, api_for):
    owner = make_user()
    organisation = make_organisation(owner)
    owner_api = api_for(owner)
    assert (
        owner_api.post(f"/organisations/{organisation.public_id}/verification-request").json()["verification_status"] == "pending"
    )
    assert owner_api.post(f"/organisations/{organisation.public_id}/verification", json={"approve": True}).status_code == 403
    staff_api = api_for(make_user(staff=True))
    response = staff_api.post(f"/organisations/{organisation.public_id}/verification", json={"approve": True})
    assert response.json()["verification_status"] == "verified"
    inbox = owner_api.get("/notifications").json()["items"]
    assert [entry["kind"] for entry in inbox] == ["organisation.verified"]


@pytest.mark.django_db
def test_changing_the_credit_code_needs_verifying_again(make_user, make_organisation, api_for):
    owner = make_user()
    organisation = make_organisation(owner)
    services.organisation_verify(actor=make_user(staff=True), organisation=organisation, approve=True)
    response = api_for(owner).patch(f"/organisations/{organisation.public_id}", json={"credit_code": VALID_USCC})
    assert response.status_code == 200
    assert response.json()["verification_status"] == "unverified"


@pytest.mark.django_db(transaction=True)
def test_invitation_from_mail_to_membership(make_user, make_organisation, api_for):
    manager = make_user()
    organisation = make_organisation(manager, name_en="Materials Lab")
    response = api_for(manager).post(
        f"/organisations/{organisation.public_id}/invitations", json={"email": "New.Person@Example.org", "role": "curator"}
    )
    assert response.status_code == 201
    assert response.json()["email"] == "new.person@example.org"
    from django.core.management import call_command

    call_command("worker", "--batch")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    link = next(line for line in message.body.splitlines() if "/invitations/" in line).strip()
    token = link.rstrip("/").rsplit("/", 1)[-1]

    stranger = api_for(make_user("someone.else@example.org"))
    assert stranger.post("/invitations/accept", json={"token": token}).status_code == 403
    invitee = api_for(make_user("new.person@example.org"))
    accepted = invitee.post("/invitations/accept", json={"token": token})
    assert accepted.status_code == 200
    assert {
        "organisation_id": organisation.public_id,
        "organisation_name": "Materials Lab",
        "role": "curator",
    } in accepted.json()["memberships"]
    assert invitee.post("/invitations/accept", json={"token": token}).status_code == 409


@pytest.mark.django_db
def test_an_expired_invitation_cannot_be_used(make_user, make_organisation, api_for):
    manager = make_user()
    organisation = make_organisation(manager)
    issued = services.invitation_create(actor=manager, organisation=organisation, email="late@example.org", role=Role.MEMBER)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = api_for(make_user("late@example.org")).post("/invitations/accept", json={"token": issued.token})
    assert response.status_code == 409
    assert not Membership.objects.filter(user__email="late@example.org").exists()


@pytest.mark.django_db
def test_only_administrators_invite_administrators(make_user, make_organisation, add_role, api_for):
    organisation = make_organisation(make_user())
    manager = make_user()
    add_role(manager, organisation, Role.MANAGER)
    response = api_for(manager).post(
        f"/organisations/{organisation.public_id}/invitations", json={"email": "x@example.org", "role": "admin"}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_the_last_administrator_cannot_be_removed(make_user, make_organisation, api_for):
    owner = make_user()
    organisation = make_organisation(owner)
    response = api_for(owner).delete(f"/organisations/{organisation.public_id}/members/{owner.public_id}/admin")
    assert response.status_code == 409
    assert Membership.objects.filter(organisation=organisation, role="admin").count() == 1


@pytest.mark.django_db
def test_members_see_the_member_list_and_managers_the_audit_trail(make_user, make_organisation, add_role, api_for):
    owner = make_user()
    organisation = make_organisation(owner)
    member = make_user()
    add_role(member, organisation, Role.MEMBER)
    member_api = api_for(member)
    members = member_api.get(f"/organisations/{organisation.public_id}/members").json()
    assert {m["user_id"] for m in members} == {owner.public_id, member.public_id}
    assert member_api.get(f"/organisations/{organisation.public_id}/audit").status_code == 403
    trail = api_for(owner).get(f"/organisations/{organisation.public_id}/audit").json()
    assert trail["items"][-1]["action"] == "organisation.create"


@pytest.mark.django_db
def test_cursor_pages_stay_stable_while_organisations_are_added(make_user, make_organisation, api_for):
    owner = make_user()
    for n in range(5):
        make_organisation(owner, name_en=f"Early {n}")
    api = api_for(owner)
    first = api.get("/organisations?limit=2").json()
    assert [o["name_en"] for o in first["items"]] == ["Early 0", "Early 1"]
    make_organisation(owner, name_en="Late arrival")
    seen = [o["name_en"] for o in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api.get(f"/organisations?limit=2&cursor={cursor}").json()
        seen += [o["name_en"] for o in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [f"Early {n}" for n in range(5)] + ["Late arrival"]


@pytest.mark.django_db
def test_listing_organisations_costs_a_fixed_number_of_queries(
    make_user, make_organisation, api_for, django_assert_max_num_queries
):
    owner = make_user()
    for n in range(30):
        make_organisation(owner, name_en=f"Org {n}")
    api = api_for(owner)
    with django_assert_max_num_queries(4):
        assert len(api.get("/organisations?limit=30").json()["items"]) == 30


@pytest.mark.django_db
def test_the_directory_is_open_without_signing_in_but_members_are_not(make_user, make_organisation, api_for):
    organisation = make_organisation(make_user(), name_en="Open Lab")
    anonymous = api_for(None)
    assert [o["name_en"] for o in anonymous.get("/organisations").json()["items"]] == ["Open Lab"]
    assert anonymous.get(f"/organisations/{organisation.public_id}").json()["name_en"] == "Open Lab"
    assert anonymous.get(f"/organisations/{organisation.public_id}/members").status_code == 401
    assert anonymous.get("/organisations", headers={"Authorization": "Bearer sp_expired-or-wrong"}).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "website", ["javascript:alert(document.domain)", "data:text/html,<script>x</script>", "ftp://files.example.org"]
)
def test_a_website_must_be_an_http_address(make_user, api_for, website):
    response = api_for(make_user()).post("/organisations", json={"kind": "institution", "name_en": "X", "website": website})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "website"
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_managers_cannot_take_the_administrator_role_away(make_user, make_organisation, add_role, api_for):
    owner = make_user()
    organisation = make_organisation(owner)
    second_admin, manager = make_user(), make_user()
    add_role(second_admin, organisation, Role.ADMIN)
    add_role(manager, organisation, Role.MANAGER)
    response = api_for(manager).delete(f"/organisations/{organisation.public_id}/members/{second_admin.public_id}/admin")
    assert response.status_code == 403
    assert Membership.objects.filter(organisation=organisation, role="admin").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_administrators_removing_each_other_at_once_leave_one(make_user, make_organisation, add_role):
    first, second = make_user(), make_user()
    organisation = make_organisation(first)
    add_role(second, organisation, Role.ADMIN)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(actor, target) -> None:
        try:
            barrier.wait()
            services.membership_remove(actor=actor, organisation=organisation, user_public_id=target.public_id, role="admin")
            outcomes.append("removed")
        except Exception as error:  # noqa: BLE001 - the refusal is the expected outcome for one of them
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=remove, args=(first, second)), threading.Thread(target=remove, args=(second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Membership.objects.filter(organisation=organisation, role="admin").count() == 1
    assert sorted(outcomes) in (["Conflict", "removed"], ["PermissionDenied", "removed"])


@pytest.mark.django_db
def test_a_keyed_request_whose_answer_was_lost_is_not_run_again(make_user, api_for):
    from sciport.core.models import IdempotencyRecord

    api = api_for(make_user())
    payload = {"kind": "provider", "name_en": "Once Only"}
    assert api.post("/organisations", json=payload, headers={"Idempotency-Key": "crash"}).status_code == 201
    IdempotencyRecord.objects.update(status_code=None, response_body=None)  # as if the process died before storing it
    retry = api.post("/organisations", json=payload, headers={"Idempotency-Key": "crash"})
    assert retry.status_code == 409
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_keyed_request_leaves_the_key_free(make_user, api_for):
    api = api_for(make_user())
    refused = api.post("/organisations", json={"kind": "spaceship", "name_en": "X"}, headers={"Idempotency-Key": "fix-and-retry"})
    assert refused.status_code == 422
    fixed = api.post("/organisations", json={"kind": "spaceship", "name_en": "X"}, headers={"Idempotency-Key": "fix-and-retry"})
    assert fixed.status_code == 422
    assert "Idempotent-Replayed" not in fixed
