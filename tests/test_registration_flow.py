"""A newcomer's whole path: sign up, confirm the e-mail, sign in, get a token, call the API."""

import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.test import Client

from sciport.core.models import AuditEvent
from sciport.testing.fixtures import ApiClient

PASSWORD = "a-long-and-unusual-password-42"


def _confirmation_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", body)
    assert match, body
    return match.group(1)


@pytest.mark.django_db
def test_sign_up_confirm_sign_in_token_and_api_call():
    browser = Client()
    signup = browser.post("/accounts/signup/", {"email": "Researcher@Example.org", "password1": PASSWORD, "password2": PASSWORD})
    assert signup.status_code == 302
    assert len(mail.outbox) == 1

    anonymous = ApiClient(None)
    refused = anonymous.post("/auth/token", json={"email": "researcher@example.org", "password": PASSWORD})
    assert refused.status_code == 403, "an unconfirmed address must not get tokens"

    link = _confirmation_link(mail.outbox[0].body)
    assert browser.get(link).status_code == 200
    assert browser.post(link).status_code == 302

    fresh = Client()
    login = fresh.post("/accounts/login/", {"login": "researcher@example.org", "password": PASSWORD})
    assert login.status_code == 302
    assert fresh.get("/dashboard/").status_code == 200

    issued = anonymous.post("/auth/token", json={"email": "researcher@example.org", "password": PASSWORD, "scopes": ["read"]})
    assert issued.status_code == 201
    secret = issued.json()["secret"]
    assert secret.startswith("sp_")
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json()["email"] == "researcher@example.org"
    tokens = Client().get("/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"}).json()
    assert "secret" not in tokens[0]
    assert tokens[0]["last_used_at"] is not None

    trail = list(AuditEvent.objects.filter(actor=me.json()["id"]).values_list("action", flat=True))
    assert trail[:2] == ["user.sign_up", "user.email_confirmed"]
    assert "user.sign_in" in trail
    assert "token.create" in trail


@pytest.mark.django_db
def test_wrong_password_gets_no_token(make_user):
    user = make_user()
    response = ApiClient(None).post("/auth/token", json={"email": user.email, "password": "not-the-password"})
    assert response.status_code == 401


@pytest.mark.django_db
def test_two_factor_accounts_need_a_current_code_for_tokens(make_user):
    from sciport.testing.fixtures import PASSWORD as USER_PASSWORD

    user = make_user()
    secret = pyotp.random_base32()
    TOTP.activate(user, secret)
    assert Authenticator.objects.filter(user=user).exists()
    anonymous = ApiClient(None)
    without = anonymous.post("/auth/token", json={"email": user.email, "password": USER_PASSWORD})
    assert without.status_code == 401
    wrong = anonymous.post("/auth/token", json={"email": user.email, "password": USER_PASSWORD, "otp_code": "000000"})
    assert wrong.status_code == 401
    right = anonymous.post(
        "/auth/token", json={"email": user.email, "password": USER_PASSWORD, "otp_code": pyotp.TOTP(secret).now()}
    )
    assert right.status_code == 201


def _reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+)", body)
    assert match, body
    return match.group(1)


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_through_the_mailed_link(make_user):
    user = make_user("forgetful@example.org")
    browser = Client()
    assert browser.post("/accounts/password/reset/", {"email": "forgetful@example.org"}).status_code == 302
    link = _reset_link(mail.outbox[-1].body)
    form_page = browser.get(link, follow=True)
    assert form_page.status_code == 200
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    new_password = "a-brand-new-long-password-7"
    done = browser.post(form_url, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert Client().post("/accounts/login/", {"login": "forgetful@example.org", "password": new_password}).status_code == 302
    assert AuditEvent.objects.filter(actor=user.public_id, action="user.password_reset").exists()


@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_the_address_for_a_while(make_user):
    from django.core.cache import cache

    from sciport.testing.fixtures import PASSWORD as USER_PASSWORD

    cache.clear()
    user = make_user()
    browser = Client(headers={"Accept-Language": "en"})
    pages = [browser.post("/accounts/login/", {"login": user.email, "password": f"wrong-{n}"}) for n in range(6)]
    assert all(page.status_code == 200 for page in pages)  # the form again, with an error
    assert "Too many failed login attempts" in pages[-1].content.decode()
    still_locked = browser.post("/accounts/login/", {"login": user.email, "password": USER_PASSWORD})
    assert still_locked.status_code == 200
    assert "_auth_user_id" not in browser.session
