"""The whole API, fuzzed from its own OpenAPI document with schemathesis.

Every operation receives generated requests, valid and invalid, with the bearer token of
a verified person who administers one organisation; half of the generated organisation
ids are swapped for that organisation's real id, so that the handlers behind the 404 are
reached too, and a third of the cases carry a NUL character in one text value (PostgreSQL
refuses NUL in text, so it must be turned away as bad input before it reaches the
database). The rules:

- bad input never causes a 5xx (``not_a_server_error``);
- every answer has the documented media type, headers and body schema for its status;
- an operation documented as authenticated refuses the same request without credentials
  (``ignored_auth``);
- an operation that documents its error answers answers nothing undocumented
  (``status_code_conformance``), and every operation documents the problem+json
  answers it can give (checked on the OpenAPI document itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sciport.accounts import services
from sciport.wsgi import application

OPENAPI_PATH = "/api/v1/openapi.json"
schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, application)
# tus chunks (POST and PATCH under /api/v1/uploads/) are raw bytes under a media type of their own.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

FUZZ = settings(
    max_examples=25,
    derandomize=True,  # the same cases on every run and machine
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
ALWAYS = [not_a_server_error, content_type_conformance, response_headers_conformance, response_schema_conformance, ignored_auth]


@dataclass(frozen=True)
class Principal:
    token: str
    organisation_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def aim(self, case: Any) -> None:
        """Steer some cases, chosen by their generated values so that runs repeat."""
        path_parameters = case.path_parameters or {}
        generated = path_parameters.get("organisation_id")
        if isinstance(generated, str) and len(generated) % 2 == 0:
            path_parameters["organisation_id"] = self.organisation_id
        for values in (case.body, case.query):
            if isinstance(values, dict) and len(repr(values)) % 3 == 0:
                text_keys = [key for key, value in values.items() if isinstance(value, str)]
                if text_keys:
                    values[text_keys[0]] += "\x00"
                    break


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Cases go through the real WSGI handler; like Django's test client, keep the test's transaction open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def principal(keep_test_connection: None, make_user: Any, make_organisation: Any) -> Principal:
    admin = make_user()
    organisation = make_organisation(admin)
    issued = services.token_create(actor=admin, name="schemathesis", scopes=["read", "write"], expires_in_days=1)
    return Principal(token=issued.secret, organisation_id=organisation.public_id)


def documents_errors(responses: Any) -> bool:
    return any(str(code).startswith("4") or str(code) == "default" for code in responses)


@schema.parametrize()
@FUZZ
def test_no_operation_answers_generated_input_with_a_server_error(case: Any, principal: Principal) -> None:
    principal.aim(case)
    checks = list(ALWAYS)
    if documents_errors(case.operation.responses.status_codes):
        checks.append(status_code_conformance)
    case.call_and_validate(headers=principal.headers, checks=checks)


def expected_problem_statuses(operation: dict[str, Any]) -> set[str]:
    """The problem+json answers every caller can provoke: bad input, an unknown id, no credentials."""
    expected = set()
    parameters = operation.get("parameters", [])
    free_text_path = [p for p in parameters if p.get("in") == "path" and p.get("schema", {}).get("type") == "string"]
    if "requestBody" in operation or len(parameters) > len(free_text_path):
        expected.add("422")
    if any(parameter.get("in") == "path" for parameter in parameters):
        expected.add("404")
    if operation.get("security") and {} not in operation["security"]:
        expected.add("401")
    return expected


def test_every_operation_documents_its_problem_answers(client: Any) -> None:
    document = client.get(OPENAPI_PATH).json()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented = set(operation.get("responses", {}))
            if "default" in documented:
                continue
            lacking = sorted(expected_problem_statuses(operation) - documented)
            if lacking:
                missing.append(f"{method.upper()} {path}: {', '.join(lacking)}")
    assert not missing, "operations whose problem+json answers are not in the OpenAPI document:\n" + "\n".join(missing)
