"""Fixtures every test may use: people, organisations, API clients with tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sciport.accounts import services
from sciport.accounts.models import Membership, Organisation, User
from sciport.core.permissions import Role

PASSWORD = "correct-horse-battery-9"


class ApiClient:
    """A Django test client speaking JSON to /api/v1 with a bearer token."""

    def __init__(self, user: User | None, scopes: tuple[str, ...] = ("read", "write")) -> None:
        self.user = user
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            issued = services.token_create(actor=user, name="test", scopes=list(scopes), expires_in_days=30)
            self.headers["Authorization"] = f"Bearer {issued.secret}"

    def request(
        self, method: str, path: str, json: Any = None, raw: bytes | str | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        import json as jsonlib

        body = raw if raw is not None else (jsonlib.dumps(json) if json is not None else None)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **(headers or {})}}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(self.client, method.lower())(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(email: str | None = None, *, staff: bool = False, language: str = "en") -> User:
        address = email or f"person{next(counter)}@example.org"
        return services.user_create_verified(
            email=address, password=PASSWORD, display_name=address.split("@")[0], language=language, staff=staff
        )

    return make


@pytest.fixture
def make_organisation(db: None) -> Callable[..., Organisation]:
    counter = iter(range(1, 10_000))

    def make(
        owner: User, *, kind: str = "institution", name_en: str | None = None, name_zh: str = "", **fields: Any
    ) -> Organisation:
        number = next(counter)
        return services.organisation_create(
            actor=owner,
            fields={"kind": kind, "name_en": name_en or f"Organisation {number}", "name_zh": name_zh, **fields},
        )

    return make


@pytest.fixture
def add_role(db: None) -> Callable[[User, Organisation, str], Membership]:
    def add(user: User, organisation: Organisation, role: str = Role.MEMBER) -> Membership:
        membership, _created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
        if hasattr(user, "_sciport_roles"):
            del user._sciport_roles
        return membership

    return add


@pytest.fixture
def api_for(db: None) -> Callable[..., ApiClient]:
    def make(user: User | None, scopes: tuple[str, ...] = ("read", "write")) -> ApiClient:
        return ApiClient(user, scopes)

    return make
