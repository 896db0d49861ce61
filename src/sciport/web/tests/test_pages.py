"""Every page renders for the people who may see it, refuses the others, and works without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from sciport.accounts import services
from sciport.accounts.models import ApiToken, Invitation, Membership, Organisation, VerificationStatus
from sciport.core.models import AuditEvent
from sciport.core.permissions import Role
from sciport.notifications import services as notification_services
from sciport.notifications.models import Notification, NotificationPreference
from sciport.testing.fixtures import PASSWORD

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def signed_in(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


class FormCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.forms.append(dict(attrs))


@pytest.fixture
def manager_setup(make_user, make_organisation, add_role):
    """An organisation with an administrator (its creator), a manager, a plain member and an outsider."""
    admin = make_user("admin@example.org")
    organisation = make_organisation(admin, name_en="Shencheng University", name_zh="申城大学")
    manager = make_user("manager@example.org")
    add_role(manager, organisation, Role.MANAGER)
    member = make_user("member@example.org")
    add_role(member, organisation, Role.MEMBER)
    outsider = make_user("outsider@example.org")
    make_organisation(outsider, name_en="Other Co.")
    return organisation, admin, manager, member, outsider


# ------------------------------------------------------------------ home, parts, shell


def test_home_shows_the_parts_and_the_directory_counts(make_user, make_organisation):
    owner = make_user()
    make_organisation(owner, kind="institution")
    make_organisation(owner, kind="institution")
    make_organisation(owner, kind="enterprise")
    response = english(Client()).get("/")
    assert response.status_code == 200
    text = text_of(response)
    for name in ("Science Data Bank", "Resource sharing", "Innovation vouchers", "Compute access", "Demands and matching"):
        assert name in text
    assert re.search(r"Institution</span><strong>2</strong>", text)
    assert re.search(r"Enterprise</span><strong>1</strong>", text)
    assert "/static/web/sciport.css" in text
    assert "django_htmx/htmx-2.min.js" in text


def test_planned_parts_explain_what_they_will_offer():
    client = english(Client())
    for slug in ("data", "services", "vouchers", "compute", "demands"):
        response = client.get(f"/about/{slug}/")
        assert response.status_code == 200
        assert "What it will offer" in response.content.decode()
    assert client.get("/about/nothing-like-this/").status_code == 404


def test_navigation_links_every_part_and_marks_the_current_page():
    text = text_of(english(Client()).get("/about/vouchers/"))
    for slug in ("data", "services", "vouchers", "compute", "demands"):
        assert f'href="/about/{slug}/"' in text
    assert 'href="/about/vouchers/" aria-current="page"' in text


def test_anonymous_visitors_see_sign_in_and_sign_up_links():
    text = text_of(english(Client()).get("/"))
    assert 'href="/accounts/login/"' in text
    assert 'href="/accounts/signup/"' in text
    assert "/accounts/logout/" not in text


def test_signed_in_shell_has_unread_badge_menu_and_language_switch(make_user):
    user = make_user()
    notification_services.notify(
        kind="system.task_failed", context={"task_path": "x", "attempts": 5, "error": "e"}, recipients=[user]
    )
    text = text_of(signed_in(user).get("/"))
    assert 'href="/notifications/"' in text
    assert '<span class="count-badge">1</span>' in text
    assert 'action="/i18n/setlang/"' in text
    assert 'name="language" value="zh-hans"' in text
    assert 'href="/accounts/2fa/"' in text
    assert 'action="/accounts/logout/"' in text


def test_language_switch_changes_the_page_language():
    client = Client()
    assert "机构名录" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/organisations/"})
    assert response.status_code == 302
    assert response["Location"] == "/organisations/"
    assert "Directory of organisations" in client.get("/organisations/").content.decode()


def test_profile_language_is_used_until_the_switch_is_used(make_user):
    user = make_user(language="zh-hans")
    client = Client()
    client.force_login(user)
    assert "工作台" in client.get("/dashboard/").content.decode()
    client.cookies["django_language"] = "en"
    assert (
        "Coming as the platform grows" in client.get("/dashboard/").content.decode()
        or "Dashboard" in client.get("/dashboard/").content.decode()
    )


# ------------------------------------------------------------------ dashboard per role


def test_dashboard_requires_sign_in():
    response = Client().get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_dashboard_without_organisation_explains_how_to_join(make_user):
    text = text_of(signed_in(make_user()).get("/dashboard/"))
    assert "Join or register an organisation" in text
    assert 'href="/organisations/new/"' in text


@pytest.mark.parametrize(
    "case",
    [
        (Role.MEMBER, "Research and data", "Managing the organisation"),
        (Role.CURATOR, "Data curation", "Managing the organisation"),
        (Role.FINANCE, "Finance", "Data curation"),
        (Role.PROGRAMME_OFFICER, "Voucher programmes", "Data curation"),
        (Role.MANAGER, "Managing the organisation", "Voucher programmes"),
    ],
    ids=lambda case: case[0],
)
def test_dashboard_sections_follow_roles_in_the_active_organisation(make_user, make_organisation, add_role, case):
    role, shown, hidden = case
    owner = make_user()
    organisation = make_organisation(owner)
    person = make_user()
    add_role(person, organisation, role)
    text = text_of(signed_in(person).get("/dashboard/"))
    assert f"<h2>{shown}</h2>" in text
    assert f"<h2>{hidden}</h2>" not in text
    assert "Platform</h2>" not in text


def test_manager_dashboard_counts_members_and_links_the_audit_trail(manager_setup):
    organisation, _admin, manager, _member, _outsider = manager_setup
    text = text_of(signed_in(manager).get("/dashboard/"))
    assert f'href="/organisations/{organisation.public_id}/audit/"' in text
    assert "<strong>3</strong><span>members</span>" in text


def test_administrator_sees_manager_and_administration_sections(manager_setup):
    _organisation, admin, *_ = manager_setup
    text = text_of(signed_in(admin).get("/dashboard/"))
    assert "<h2>Managing the organisation</h2>" in text
    assert "<h2>Administration</h2>" in text


def test_staff_dashboard_lists_organisations_waiting_for_verification(make_user, make_organisation):
    staff = make_user(staff=True)
    owner = make_user()
    waiting = make_organisation(owner, name_en="Waiting Lab")
    services.organisation_request_verification(actor=owner, organisation=waiting)
    text = text_of(signed_in(staff).get("/dashboard/"))
    assert "<h2>Platform</h2>" in text
    assert "Waiting Lab" in text


# ------------------------------------------------------------------ organisation switcher


def test_switching_to_one_of_ones_organisations(make_user, make_organisation):
    user = make_user()
    first = make_organisation(user, name_en="First")
    second = make_organisation(user, name_en="Second")
    client = signed_in(user)
    assert "You are acting for" in text_of(client.get("/dashboard/"))
    response = client.post("/me/organisation/", {"organisation": second.public_id, "next": "/dashboard/"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    text = text_of(client.get("/dashboard/"))
    assert f'<a href="/organisations/{second.public_id}/">Second</a>.' in text
    assert first.public_id in text


def test_switching_to_a_foreign_organisation_changes_nothing(manager_setup):
    organisation, _admin, _manager, _member, outsider = manager_setup
    client = signed_in(outsider)
    response = client.post(
        "/me/organisation/", {"organisation": organisation.public_id, "next": "https://evil.example/"}, follow=True
    )
    assert response.redirect_chain[0][0] == "/dashboard/"
    text = text_of(response)
    assert "You can only act for an organisation you belong to." in text
    assert "Other Co." in text


# ------------------------------------------------------------------ directory and organisation pages


def test_directory_filters_by_type_and_verification(make_user, make_organisation):
    owner = make_user()
    make_organisation(owner, kind="institution", name_en="Alpha Institute")
    beta = make_organisation(owner, kind="enterprise", name_en="Beta Co.")
    services.organisation_verify(actor=make_user(staff=True), organisation=beta, approve=True)
    client = english(Client())
    text = text_of(client.get("/organisations/"))
    assert "Alpha Institute" in text
    assert "Beta Co." in text
    text = text_of(client.get("/organisations/?kind=enterprise"))
    assert "Beta Co." in text
    assert "Alpha Institute" not in text
    text = text_of(client.get("/organisations/?verified=on"))
    assert "Beta Co." in text
    assert "Alpha Institute" not in text


def test_directory_search_box_uses_the_search_index_when_it_is_there(make_user, make_organisation):
    pytest.importorskip("sciport.accounts.search")
    owner = make_user()
    make_organisation(owner, kind="institution", name_zh="东海先进材料研究所", name_en="Donghai Materials Institute")
    make_organisation(owner, kind="enterprise", name_zh="临港智造科技有限公司", name_en="Lingang Smart Manufacturing")
    client = english(Client())
    assert 'name="q"' in text_of(client.get("/organisations/"))
    text = text_of(client.get("/organisations/?q=材料"))
    assert "Best matches for" in text
    assert "Donghai Materials Institute" in text
    assert "Lingang Smart Manufacturing" not in text
    assert "Lingang" not in text_of(client.get("/organisations/?q=材料&kind=enterprise"))
    assert "Nothing matches" in text_of(client.get("/organisations/?q=zzzzqqq"))


def test_organisation_page_is_public_and_shows_the_verified_mark(make_user, make_organisation):
    owner = make_user()
    organisation = make_organisation(owner, name_en="Open Lab", description_en="We open our microscopes.")
    services.organisation_verify(actor=make_user(staff=True), organisation=organisation, approve=True)
    text = text_of(english(Client()).get(f"/organisations/{organisation.public_id}/"))
    assert "Open Lab" in text
    assert "We open our microscopes." in text
    assert "tag-verified" in text
    assert "/members/" not in text
    assert "/edit/" not in text
    assert "/audit/" not in text


def test_unknown_organisation_is_not_found():
    assert Client().get("/organisations/org_doesnotexist/").status_code == 404


def test_members_page_is_for_members_only(manager_setup):
    organisation, _admin, _manager, member, outsider = manager_setup
    url = f"/organisations/{organisation.public_id}/members/"
    assert Client().get(url).status_code == 302
    assert signed_in(outsider).get(url).status_code == 404
    response = signed_in(member).get(url)
    assert response.status_code == 200
    text = text_of(response)
    assert "admin@example.org" not in text, "plain members do not see e-mail addresses"
    assert "Invite someone" not in text


def test_audit_trail_is_for_managers_newest_first_and_paginated(manager_setup):
    organisation, admin, manager, member, outsider = manager_setup
    url = f"/organisations/{organisation.public_id}/audit/"
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(member).get(url).status_code == 403
    for number in range(30):
        services.organisation_update(actor=admin, organisation=organisation, fields={"region": f"District {number}"})
    client = signed_in(manager)
    first = text_of(client.get(url))
    assert first.index("+ region: District 29") < first.index("+ region: District 28")
    assert "District 3<" not in first
    older = re.search(r'href="\?cursor=([^"]+)"', first)
    assert older
    second = text_of(client.get(f"{url}?cursor={older.group(1)}"))
    assert "District 3" in second
    assert "organisation.create" in second
    assert client.get(f"{url}?cursor=not-a-cursor").status_code == 404
    assert AuditEvent.objects.filter(organisation=organisation.public_id).count() > 25


def test_manager_invites_sees_open_invitation_and_withdraws_it(manager_setup):
    organisation, _admin, manager, _member, _outsider = manager_setup
    client = signed_in(manager)
    response = client.post(
        f"/organisations/{organisation.public_id}/invitations/",
        {"email": "New.Person@Example.org", "role": Role.CURATOR},
        follow=True,
    )
    text = text_of(response)
    assert "An invitation was sent to new.person@example.org" in text
    assert "Open invitations" in text
    assert "new.person@example.org" in text
    invitation = Invitation.objects.get(email="new.person@example.org")
    response = client.post(f"/organisations/{organisation.public_id}/invitations/{invitation.public_id}/revoke/", follow=True)
    assert "was withdrawn" in text_of(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_invitation_form_shows_field_errors(manager_setup):
    organisation, _admin, manager, _member, _outsider = manager_setup
    response = signed_in(manager).post(
        f"/organisations/{organisation.public_id}/invitations/", {"email": "no-at-sign", "role": "member"}
    )
    assert response.status_code == 422
    assert 'class="field has-error" id="field-email"' in text_of(response)
    response = signed_in(manager).post(
        f"/organisations/{organisation.public_id}/invitations/", {"email": "x@example.org", "role": Role.ADMIN}
    )
    assert response.status_code == 422
    assert "Only administrators give or take the administrator role." in text_of(response)


def test_members_cannot_invite(manager_setup):
    organisation, _admin, _manager, member, outsider = manager_setup
    url = f"/organisations/{organisation.public_id}/invitations/"
    assert signed_in(member).post(url, {"email": "x@example.org", "role": "member"}).status_code == 403
    assert signed_in(outsider).post(url, {"email": "x@example.org", "role": "member"}).status_code == 404
    assert not Invitation.objects.exists()


def test_manager_takes_a_role_away(manager_setup):
    organisation, _admin, manager, member, _outsider = manager_setup
    response = signed_in(manager).post(
        f"/organisations/{organisation.public_id}/members/remove/", {"user": member.public_id, "role": Role.MEMBER}, follow=True
    )
    assert "The role was taken away." in text_of(response)
    assert not Membership.objects.filter(user=member, organisation=organisation).exists()


# ------------------------------------------------------------------ accepting invitations


def _invite(organisation, inviter, email, role=Role.MEMBER) -> str:
    return services.invitation_create(actor=inviter, organisation=organisation, email=email, role=role).token


def test_accepting_an_invitation_needs_sign_in_then_joins(manager_setup, make_user):
    organisation, _admin, manager, _member, _outsider = manager_setup
    token = _invite(organisation, manager, "invitee@example.org")
    response = Client().get(f"/invitations/{token}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    invitee = make_user("invitee@example.org")
    client = signed_in(invitee)
    assert "Accept the invitation" in text_of(client.get(f"/invitations/{token}/"))
    response = client.post(f"/invitations/{token}/", follow=True)
    assert "you joined as Member" in text_of(response)
    assert Membership.objects.filter(user=invitee, organisation=organisation, role=Role.MEMBER).exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("used", "This invitation has already been used."),
        ("expired", "This invitation has expired; ask for a new one."),
        ("other-address", "This invitation was sent to another e-mail address."),
        ("withdrawn", "This invitation does not exist or was withdrawn."),
    ],
)
def test_invitation_errors_are_explained(manager_setup, make_user, case, message):
    organisation, _admin, manager, _member, _outsider = manager_setup
    invitee = make_user("invitee@example.org")
    token = _invite(organisation, manager, "someone.else@example.org" if case == "other-address" else "invitee@example.org")
    invitation = Invitation.objects.get()
    if case == "used":
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    if case == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    if case == "withdrawn":
        services.invitation_revoke(actor=manager, invitation=invitation)
    response = signed_in(invitee).post(f"/invitations/{token}/")
    assert response.status_code == 409
    assert message in text_of(response)
    assert not Membership.objects.filter(user=invitee).exists()


def test_invitation_errors_are_translated(manager_setup, make_user):
    organisation, _admin, manager, _member, _outsider = manager_setup
    invitee = make_user("invitee@example.org")
    token = _invite(organisation, manager, "someone.else@example.org")
    response = signed_in(invitee, language="zh-hans").post(f"/invitations/{token}/")
    assert "此邀请发送给了另一个电子邮件地址。" in text_of(response)


# ------------------------------------------------------------------ registering and editing organisations


def test_registering_an_organisation_shows_service_field_errors(make_user):
    client = signed_in(make_user())
    response = client.post("/organisations/new/", {"kind": "institution", "credit_code": "12345", "country": "CN"})
    assert response.status_code == 422
    text = text_of(response)
    assert "There is a problem" in text
    assert 'class="field has-error" id="field-name_zh"' in text
    assert "Give the organisation a Chinese or an English name." in text
    assert 'class="field has-error" id="field-credit_code"' in text
    assert not Organisation.objects.exists()


def test_registering_an_organisation_makes_one_its_administrator(make_user):
    user = make_user()
    client = signed_in(user)
    response = client.post(
        "/organisations/new/", {"kind": "provider", "name_en": "Testing Centre", "country": "cn", "website": "lab.example.org"}
    )
    organisation = Organisation.objects.get(name_en="Testing Centre")
    assert response.status_code == 302
    assert response["Location"] == f"/organisations/{organisation.public_id}/"
    assert organisation.country == "CN"
    assert organisation.website == "https://lab.example.org"
    assert Membership.objects.filter(user=user, organisation=organisation, role=Role.ADMIN).exists()
    assert "Testing Centre" in text_of(client.get("/dashboard/"))


def test_registering_needs_sign_in():
    assert Client().get("/organisations/new/").status_code == 302


def test_managers_edit_members_may_not(manager_setup):
    organisation, _admin, manager, member, outsider = manager_setup
    url = f"/organisations/{organisation.public_id}/edit/"
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(member).get(url).status_code == 403
    client = signed_in(manager)
    assert 'value="Shencheng University"' in text_of(client.get(url))
    data = {"name_zh": "申城大学", "name_en": "Shencheng University", "kind": "institution", "country": "CN", "region": "Xuhui"}
    response = client.post(url, data)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.region == "Xuhui"
    response = client.post(url, data | {"country": "China"})
    assert response.status_code == 422
    assert 'class="field has-error" id="field-country"' in text_of(response)


def test_verification_request_then_staff_decision(manager_setup, make_user):
    organisation, _admin, manager, _member, _outsider = manager_setup
    detail = f"/organisations/{organisation.public_id}/"
    client = signed_in(manager)
    assert "Request verification" in text_of(client.get(detail))
    assert 'name="decision" value="approve"' not in text_of(client.get(detail))
    client.post(f"{detail}verification-request/")
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.PENDING
    assert client.post(f"{detail}verification/", {"decision": "approve"}).status_code == 403
    staff = signed_in(make_user(staff=True))
    assert 'name="decision" value="approve"' in text_of(staff.get(detail))
    response = staff.post(f"{detail}verification/", {"decision": "approve"}, follow=True)
    assert "The organisation is verified" in text_of(response)
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.VERIFIED
    assert Notification.objects.filter(recipient=manager, kind="organisation.verified").exists()


def test_staff_may_reject(manager_setup, make_user):
    organisation, *_ = manager_setup
    signed_in(make_user(staff=True)).post(f"/organisations/{organisation.public_id}/verification/", {"decision": "reject"})
    organisation.refresh_from_db()
    assert organisation.verification_status == VerificationStatus.REJECTED


# ------------------------------------------------------------------ profile and tokens


def test_profile_saves_and_sets_the_language_cookie(make_user):
    user = make_user()
    client = signed_in(user)
    assert 'name="orcid"' in text_of(client.get("/me/"))
    response = client.post(
        "/me/", {"display_name": "Li Yan", "language": "zh-hans", "time_zone": "Europe/Berlin", "orcid": "0000-0002-1825-0097"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hans"
    user.refresh_from_db()
    assert (user.display_name, user.language, user.time_zone, user.orcid) == (
        "Li Yan",
        "zh-hans",
        "Europe/Berlin",
        "0000-0002-1825-0097",
    )
    assert "您的个人资料已保存。" in text_of(client.get("/me/"))


def test_profile_refuses_a_malformed_orcid(make_user):
    response = signed_in(make_user()).post("/me/", {"display_name": "", "language": "en", "time_zone": "UTC", "orcid": "1234"})
    assert response.status_code == 200
    assert 'class="field has-error" id="field-orcid"' in text_of(response)


def test_token_secret_is_shown_once_then_only_its_prefix(make_user):
    user = make_user()
    client = signed_in(user)
    response = client.post("/me/tokens/new/", {"name": "laptop", "scopes": ["read", "write"], "expires_in_days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r'id="token-secret">(sp_[^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=user)
    assert services.token_authenticate(secret) == token
    listing = text_of(client.get("/me/tokens/"))
    assert "laptop" in listing
    assert token.prefix in listing
    assert secret not in listing


def test_token_form_errors_and_never_expiring_tokens(make_user):
    user = make_user()
    client = signed_in(user)
    response = client.post("/me/tokens/new/", {"name": " ", "expires_in_days": "30"})
    assert response.status_code == 422
    text = text_of(response)
    assert 'class="field has-error" id="field-name"' in text
    assert 'class="field has-error" id="field-scopes"' in text
    client.post("/me/tokens/new/", {"name": "forever", "scopes": ["read"], "expires_in_days": "never"})
    assert ApiToken.objects.get(user=user).expires_at is None


def test_revoking_a_token_asks_first(make_user):
    user = make_user()
    other = make_user()
    token = services.token_create(actor=user, name="ci", scopes=["read"], expires_in_days=30).token
    client = signed_in(user)
    url = f"/me/tokens/{token.public_id}/revoke/"
    assert "Revoke the token “ci”?" in text_of(client.get(url))
    token.refresh_from_db()
    assert token.revoked_at is None
    assert signed_in(other).post(url).status_code == 404
    response = client.post(url, follow=True)
    assert "was revoked" in text_of(response)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(url).status_code == 404


# ------------------------------------------------------------------ notifications


def _notify(user, count: int = 1) -> list[Notification]:
    return [
        notification_services.notify(
            kind="system.task_failed", context={"task_path": f"job.{n}", "attempts": 5, "error": "boom"}, recipients=[user]
        )[0]
        for n in range(count)
    ]


def test_inbox_lists_and_marks_read(make_user):
    user = make_user()
    first, _second = _notify(user, 2)
    client = signed_in(user)
    text = text_of(client.get("/notifications/"))
    assert "Background task job.0 failed for good" in text
    assert "job.1" in text
    response = client.post(f"/notifications/{first.public_id}/read/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert "job.1" in text_of(client.get("/notifications/?unread=1"))
    assert "job.0" not in text_of(client.get("/notifications/?unread=1"))
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


def test_marking_read_with_htmx_returns_the_entry_and_the_badge(make_user):
    user = make_user()
    entry, _other = _notify(user, 2)
    response = signed_in(user).post(f"/notifications/{entry.public_id}/read/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = text_of(response)
    assert f'id="{entry.public_id}"' in text
    assert 'hx-swap-oob="true"' in text
    assert '<span class="count-badge">1</span>' in text


def test_nobody_marks_anothers_notification(make_user):
    entry = _notify(make_user())[0]
    assert signed_in(make_user()).post(f"/notifications/{entry.public_id}/read/").status_code == 404


def test_preferences_are_saved_per_kind(make_user):
    user = make_user()
    client = signed_in(user)
    text = text_of(client.get("/notifications/preferences/"))
    assert 'name="invitation:inbox" checked' in text
    client.post("/notifications/preferences/", {"invitation:inbox": "on", "organisation.verified:email": "on"})
    chosen = {p.kind: (p.inbox, p.email) for p in NotificationPreference.objects.filter(user=user)}
    assert chosen["invitation"] == (True, False)
    assert chosen["organisation.verified"] == (False, True)
    assert chosen["system.task_failed"] == (False, False)


# ------------------------------------------------------------------ allauth pages in the shell


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_entrance_pages_use_the_sciport_shell(path):
    text = text_of(english(Client()).get(path))
    assert '<span class="brand-name">sciport</span>' in text
    assert 'class="container entrance"' in text
    assert 'class="button' in text


def test_sign_up_and_e_mail_confirmation_pages_use_the_shell():
    from django.core import mail

    client = english(Client())
    password = "a-long-and-unusual-password-42"
    response = client.post(
        "/accounts/signup/", {"email": "new@example.org", "password1": password, "password2": password}, follow=True
    )
    assert 'class="container entrance"' in text_of(response)
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body).group(1)
    confirm = text_of(client.get(link))
    assert 'class="container entrance"' in confirm
    assert 'class="button' in confirm


@pytest.mark.parametrize("path", ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"])
def test_account_pages_use_the_shell_with_the_account_menu(make_user, path):
    text = text_of(signed_in(make_user()).get(path))
    assert '<span class="brand-name">sciport</span>' in text
    assert 'aria-label="Your account"' in text
    assert 'href="/me/tokens/"' in text


def test_totp_activation_page_shows_the_qr_code_in_the_shell(make_user):
    user = make_user()
    client = Client()
    client.cookies["django_language"] = "en"
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    asked = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert asked.redirect_chain[0][0].startswith("/accounts/reauthenticate/")
    assert 'class="container entrance"' in text_of(asked)
    response = client.post(asked.redirect_chain[0][0], {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/2fa/totp/activate/"
    text = text_of(response)
    assert 'class="mfa totp qr' in text
    assert 'aria-label="Your account"' in text


def test_two_factor_sign_in_and_recovery_codes_use_the_shell(make_user):
    import pyotp
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    user = make_user()
    secret = pyotp.random_base32()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    client = english(Client())
    asked = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True)
    assert asked.redirect_chain[-1][0] == "/accounts/2fa/authenticate/"
    assert 'class="container entrance"' in text_of(asked)
    signed = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(secret).now()}, follow=True)
    assert signed.redirect_chain[-1][0] == "/dashboard/"
    reauthenticate = client.get("/accounts/2fa/recovery-codes/").url
    shown = client.post(reauthenticate, {"password": PASSWORD}, follow=True)
    text = text_of(shown)
    assert 'aria-label="Your account"' in text
    assert codes[0] in text


def test_sign_in_through_the_form_lands_on_the_dashboard(make_user):
    user = make_user()
    client = english(Client())
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert "<h1>Dashboard</h1>" in text_of(response)


# ------------------------------------------------------------------ errors, CSRF, no JavaScript needed


def test_not_found_page_is_in_the_shell_and_translated():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    text = text_of(response)
    assert "页面未找到" in text
    assert '<span class="brand-name">sciport</span>' in text
    assert "Page not found" in text_of(english(Client()).get("/no/such/page/"))


def test_forbidden_page_is_in_the_shell(manager_setup):
    organisation, _admin, _manager, member, _outsider = manager_setup
    response = signed_in(member).get(f"/organisations/{organisation.public_id}/audit/")
    assert response.status_code == 403
    assert "You are not allowed to do this" in text_of(response)
    assert 'class="mainnav"' in text_of(response)


def test_server_error_page_renders_without_a_request_context(rf):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("zh-hans"):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "我们这边出了问题" in response.content.decode()


def test_post_without_csrf_token_is_refused(make_user):
    user = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.post("/me/tokens/new/", {"name": "sneaky", "scopes": ["read"], "expires_in_days": "30"})
    assert response.status_code == 403
    assert "This form could not be accepted" in response.content.decode()
    assert not ApiToken.objects.exists()
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403


def test_switching_language_on_a_page_answering_a_post_lands_on_a_page(manager_setup):
    organisation, _admin, manager, _member, _outsider = manager_setup
    client = signed_in(manager)
    assert client.get("/me/tokens/new/")["Location"] == "/me/tokens/"
    members = f"/organisations/{organisation.public_id}/members/"
    assert client.get(f"/organisations/{organisation.public_id}/invitations/")["Location"] == members


def test_pages_are_server_rendered_and_their_forms_work_without_javascript(manager_setup):
    organisation, _admin, manager, _member, _outsider = manager_setup
    _notify(manager)
    client = signed_in(manager)
    pages = {
        "/": "Research data, instruments and expertise",
        "/dashboard/": "Managing the organisation",
        "/organisations/": "Shencheng University",
        f"/organisations/{organisation.public_id}/": "Shencheng University",
        f"/organisations/{organisation.public_id}/members/": "manager@example.org",
        f"/organisations/{organisation.public_id}/audit/": "organisation.create",
        f"/organisations/{organisation.public_id}/edit/": "Unified social credit code",
        "/organisations/new/": "Register an organisation",
        "/me/": "ORCID",
        "/me/tokens/": "Create a token",
        "/notifications/": "failed for good",
        "/notifications/preferences/": "Invitations to join an organisation",
        "/about/data/": "Science Data Bank",
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert expected in html, path
        collector = FormCollector()
        collector.feed(html)
        for form in collector.forms:
            method = (form.get("method") or "get").lower()
            assert method in {"get", "post"}, (path, form)
            if method == "post" or form.get("hx-post"):
                assert form.get("action"), f"{path}: a form needs a real action to work without JavaScript: {form}"
