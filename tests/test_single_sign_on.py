"""Institutional single sign-on over OpenID Connect, against a small loopback identity provider.

The provider speaks the real protocol (discovery document, authorization redirect,
token endpoint with client authentication, userinfo); allauth does the client side.
"""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.account.models import EmailAddress
from django.test import Client, override_settings

from sciport.accounts.models import User

CLIENT_ID = "sciport-test-client"
CLIENT_SECRET = "idp-shared-secret"
CODE = "one-time-code-123"


class FakeIdentityProvider(BaseHTTPRequestHandler):
    issuer = ""
    token_requests: list[dict[str, list[str]]] = []

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""

    def _json(self, body: dict[str, object], status: int = 200) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if self.path == "/.well-known/openid-configuration":
            self._json(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "userinfo_endpoint": f"{self.issuer}/userinfo",
                    "jwks_uri": f"{self.issuer}/jwks",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            )
        elif self.path == "/userinfo":
            if self.headers.get("Authorization") != "Bearer idp-access-token":
                self._json({"error": "invalid_token"}, 401)
                return
            self._json({"sub": "staff-0042", "email": "wang.li@shencheng.edu.cn", "email_verified": True, "name": "王立 Wang Li"})
        else:
            self._json({"error": "not_found"}, 404)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        type(self).token_requests.append(form)
        if self.path != "/token" or form.get("code") != [CODE] or form.get("client_secret") != [CLIENT_SECRET]:
            self._json({"error": "invalid_grant"}, 400)
            return
        self._json({"access_token": "idp-access-token", "token_type": "Bearer", "expires_in": 300})


@pytest.fixture
def identity_provider() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeIdentityProvider)
    FakeIdentityProvider.issuer = f"http://127.0.0.1:{server.server_port}"
    FakeIdentityProvider.token_requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield FakeIdentityProvider.issuer
    server.shutdown()
    server.server_close()


def _provider_settings(issuer: str) -> dict[str, object]:
    return {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "shencheng",
                    "name": "Shencheng University",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": issuer, "fetch_userinfo": True},
                }
            ]
        }
    }


@pytest.mark.django_db
def test_a_university_account_signs_in_through_its_identity_provider(identity_provider):
    with override_settings(SOCIALACCOUNT_PROVIDERS=_provider_settings(identity_provider)):
        browser = Client()
        login_page = browser.get("/accounts/login/")
        assert "Shencheng University" in login_page.content.decode()

        start = browser.post("/accounts/oidc/shencheng/login/")
        assert start.status_code == 302
        authorize = urlparse(start["Location"])
        assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{identity_provider}/authorize"
        query = parse_qs(authorize.query)
        assert query["client_id"] == [CLIENT_ID]
        assert query["response_type"] == ["code"]

        callback = urlparse(query["redirect_uri"][0]).path
        finish = browser.get(callback, {"code": CODE, "state": query["state"][0]})
        assert finish.status_code == 302, finish.content.decode()[:500]

    user = User.objects.get(email="wang.li@shencheng.edu.cn")
    assert EmailAddress.objects.get(user=user).verified
    assert browser.get("/api/v1/me").json()["email"] == "wang.li@shencheng.edu.cn"
    assert FakeIdentityProvider.token_requests[-1]["client_id"] == [CLIENT_ID]


@pytest.mark.django_db
def test_a_forged_state_signs_nobody_in(identity_provider):
    with override_settings(SOCIALACCOUNT_PROVIDERS=_provider_settings(identity_provider)):
        browser = Client()
        browser.post("/accounts/oidc/shencheng/login/")
        browser.get("/accounts/oidc/shencheng/login/callback/", {"code": CODE, "state": "forged"})
    assert not User.objects.filter(email="wang.li@shencheng.edu.cn").exists()
    assert browser.get("/api/v1/me").status_code == 401
