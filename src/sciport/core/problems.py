"""RFC 9457 problem+json for every error the API can give."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sciport.core.errors import DomainError, FieldError, RateLimited
from sciport.core.observability import current_request_id

logger = logging.getLogger(__name__)
PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:sciport:problem:"


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad-request", _("The request cannot be read; send well-formed JSON.")),
        401: ("not-authenticated", _("Authentication is required.")),
        403: ("forbidden", _("You are not allowed to do this.")),
        404: ("not-found", _("Not found.")),
        405: ("method-not-allowed", _("This method is not allowed here.")),
        409: ("conflict", _("The request conflicts with the current state.")),
        422: ("validation-error", _("Some fields are not valid.")),
        429: ("rate-limited", _("Too many requests; try again later.")),
        500: ("server-error", _("Something went wrong on our side; the error was logged.")),
    }


def problem(
    request: HttpRequest,
    *,
    status: int,
    slug: str = "",
    title: str = "",
    detail: str = "",
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    default_slug, default_title = _titles().get(status, ("error", _("The request failed.")))
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (slug or default_slug),
        "title": title or default_title,
        "status": status,
        "instance": request.path,
        "request_id": current_request_id.get(),
    }
    if detail and detail != body["title"]:
        body["detail"] = detail
    if errors:
        body["errors"] = [{"field": error.field, "message": str(error.message)} for error in errors]
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    """Turn pydantic's ('body', 'payload', 'name') into 'name'; keep query/path names."""
    parts = [str(part) for part in location]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    return ".".join(parts) or "body"


def _validation_errors(exc: ValidationError) -> list[FieldError]:
    return [FieldError(_field_name(error.get("loc", ())), error.get("msg", "")) for error in exc.errors]


class ApiProblemMiddleware:
    """Routing answers (unknown path, wrong method, a NUL in the path) under /api/ become problem+json too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and "\x00" in request.path:
            return problem(request, status=404)  # no id holds a NUL; keep it away from the database
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in {404, 405}
            and response.get("Content-Type", "") != PROBLEM_CONTENT_TYPE
        ):
            headers = {"Allow": response["Allow"]} if response.has_header("Allow") else None
            return problem(request, status=response.status_code, headers=headers)
        return response


def install(api: NinjaAPI) -> None:
    """Replace django-ninja's default error bodies with problem+json."""

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        headers = {"Retry-After": str(exc.retry_after_seconds)} if isinstance(exc, RateLimited) else None
        return problem(
            request,
            status=exc.status,
            slug=exc.slug,
            title=str(exc.title),
            detail=str(exc.detail or ""),
            errors=exc.errors,
            headers=headers,
        )

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem(request, status=422, errors=_validation_errors(exc))

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(request, status=401, headers={"WWW-Authenticate": 'Bearer realm="sciport"'})

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(request, status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(request, status=404)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return problem(request, status=500)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "Stable URN naming the kind of problem, e.g. urn:sciport:problem:not-found."},
        "title": {"type": "string", "description": "Short human summary in the caller's language."},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
EXTRA_PROBLEMS = "x-sciport-problems"
_DESCRIPTIONS = {
    "400": "The body is not well-formed JSON.",
    "401": "No valid credentials: missing, expired or revoked token.",
    "403": "Signed in, but the token scope or the role does not allow this.",
    "404": "No such object, or it belongs to another organisation.",
    "409": "The request conflicts with the current state (already used, duplicate, in progress).",
    "422": "Some fields are not valid; `errors` names each one.",
    "429": "Too many attempts; wait for `Retry-After` seconds.",
}
_UNSAFE_METHODS = {"post", "put", "patch", "delete"}


def _statuses(method: str, operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters", [])
    statuses = []
    if "requestBody" in operation:
        statuses.append("400")
    security = operation.get("security")
    if security and {} not in security:
        statuses += ["401", "403"]
    if method in _UNSAFE_METHODS or any(parameter.get("in") == "path" for parameter in parameters):
        statuses.append("404")  # a named object, or one referenced from the body, may not exist for the caller
    if method in _UNSAFE_METHODS:
        statuses.append("409")
    if parameters or "requestBody" in operation:
        statuses.append("422")
    statuses += [str(status) for status in operation.pop(EXTRA_PROBLEMS, [])]
    return statuses


def also_answers(*statuses: int) -> dict[str, Any]:
    """``openapi_extra`` for an operation that gives problem answers the general rules miss."""
    return {EXTRA_PROBLEMS: list(statuses)}


def document(openapi: dict[str, Any]) -> dict[str, Any]:
    """Add the problem+json answers each operation can give to an OpenAPI document."""
    openapi.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    reference = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in openapi.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses(method, operation):
                responses.setdefault(status, {"description": _DESCRIPTIONS[status], "content": reference})
    return openapi
