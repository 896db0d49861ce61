"""Every API error is RFC 9457 problem+json with a stable type, a translated title and field errors."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from sciport.accounts.models import ApiToken, Organisation

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:sciport:problem:{slug}"
    assert body["status"] == status
    assert body["title"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


@pytest.mark.django_db
def test_malformed_json_is_a_400_and_creates_nothing(make_user, api_for):
    api = api_for(make_user())
    response = api.request("POST", "/organisations", raw='{"kind": "institution", "name_en": ')
    assert_problem(response, 400, "bad-request")
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_wrong_types_are_422_with_the_field_named(make_user, api_for):
    api = api_for(make_user())
    response = api.post("/organisations", json={"kind": ["not", "a", "string"], "name_en": 12})
    body = assert_problem(response, 422, "validation-error")
    fields = {error["field"] for error in body["errors"]}
    assert {"kind", "name_en"} <= fields
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_domain_validation_names_each_bad_field(make_user, api_for):
    api = api_for(make_user())
    response = api.post("/organisations", json={"kind": "spaceship", "credit_code": "91310000MA1FL2X3XX", "country": "c1"})
    body = assert_problem(response, 422, "validation-error")
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"kind", "name_zh", "credit_code", "country"}


@pytest.mark.django_db
def test_titles_follow_the_callers_language(make_user, api_for):
    api = api_for(make_user())
    english = api.get("/organisations/org_doesnotexist", headers={"Accept-Language": "en"}).json()
    chinese = api.get("/organisations/org_doesnotexist", headers={"Accept-Language": "zh-Hans"}).json()
    assert english["title"] == "Not found."
    assert chinese["title"] != english["title"]


@pytest.mark.django_db
def test_no_credentials_is_401_with_a_challenge(api_for):
    response = api_for(None).get("/me")
    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_expired_and_revoked_tokens_are_refused(make_user, api_for):
    api = api_for(make_user())
    assert api.get("/me").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_problem(api.get("/me"), 401, "not-authenticated")
    ApiToken.objects.update(expires_at=None, revoked_at=timezone.now())
    assert_problem(api.get("/me"), 401, "not-authenticated")


@pytest.mark.django_db
def test_a_read_only_token_cannot_write(make_user, api_for):
    api = api_for(make_user(), scopes=("read",))
    assert api.get("/me").status_code == 200
    response = api.post("/organisations", json={"kind": "enterprise", "name_en": "Acme"})
    assert_problem(response, 403, "forbidden")
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_unknown_path_under_the_api_is_problem_json(make_user, api_for):
    api = api_for(make_user())
    assert_problem(api.get("/no-such-thing"), 404, "not-found")
    wrong_method = api.request("PUT", "/me")
    assert_problem(wrong_method, 405, "method-not-allowed")
    assert "GET" in wrong_method["Allow"]


@pytest.mark.django_db
def test_request_id_is_echoed_when_sane_and_replaced_when_not(make_user, api_for):
    api = api_for(make_user())
    assert api.get("/me", headers={"X-Request-ID": "abcdef123456"})["X-Request-ID"] == "abcdef123456"
    replaced = api.get("/me", headers={"X-Request-ID": "bad id with spaces\n"})["X-Request-ID"]
    assert replaced != "bad id with spaces\n"
    assert len(replaced) == 32


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT=(3, 60))
def test_token_endpoint_is_rate_limited(make_user, api_for):
    cache.clear()
    user = make_user()
    anonymous = api_for(None)
    for _ in range(3):
        assert anonymous.post("/auth/token", json={"email": user.email, "password": "wrong-password"}).status_code == 401
    response = anonymous.post("/auth/token", json={"email": user.email, "password": "wrong-password"})
    assert_problem(response, 429, "rate-limited")
    assert int(response["Retry-After"]) >= 1


@pytest.mark.django_db
def test_bad_cursor_and_limit_are_field_errors(make_user, api_for):
    api = api_for(make_user())
    body = assert_problem(api.get("/organisations?cursor=%%%garbage"), 422, "validation-error")
    assert body["errors"][0]["field"] == "cursor"
    body = assert_problem(api.get("/organisations?limit=100000"), 422, "validation-error")
    assert body["errors"][0]["field"] == "limit"


@pytest.mark.django_db
def test_nul_characters_are_bad_input_everywhere(make_user, api_for):
    api = api_for(make_user())
    assert_problem(api.post("/organisations", json={"kind": "enterprise", "name_en": "A\u0000B"}), 400, "bad-request")
    assert_problem(api_for(None).post("/auth/token", json={"email": "\u0000", "password": "x"}), 400, "bad-request")
    body = assert_problem(api.get("/organisations?kind=a%00b"), 422, "validation-error")
    assert body["errors"][0]["field"] == "kind"
    assert_problem(api.get("/organisations/org_%00"), 404, "not-found")
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_a_deactivated_persons_tokens_stop_working(make_user, api_for):
    user = make_user()
    api = api_for(user)
    assert api.get("/me").status_code == 200
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert_problem(api.get("/me"), 401, "not-authenticated")


@pytest.mark.django_db
def test_a_token_cannot_mint_more_tokens(make_user, api_for):
    api = api_for(make_user())
    response = api.post("/tokens", json={"name": "successor", "scopes": ["read", "write"], "expires_in_days": None})
    assert_problem(response, 401, "not-authenticated")
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_time_zone_is_a_field_error(make_user, api_for):
    response = api_for(make_user()).patch("/me", json={"time_zone": "Not/AZone"})
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["field"] == "time_zone"
