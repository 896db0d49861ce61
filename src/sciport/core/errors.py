"""Domain errors raised by services; the API maps each once to RFC 9457 problem+json."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str | Promise


class DomainError(Exception):
    status: int = 400
    slug: str = "bad-request"
    title: str | Promise = _("The request cannot be processed.")

    def __init__(self, detail: str | Promise | None = None, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(str(detail or self.title))
        self.detail = detail
        self.errors = errors or []


class NotAuthenticated(DomainError):
    status = 401
    slug = "not-authenticated"
    title = _("Authentication is required.")


class PermissionDenied(DomainError):
    status = 403
    slug = "forbidden"
    title = _("You are not allowed to do this.")


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = _("Not found.")


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = _("The request conflicts with the current state.")


class ValidationFailed(DomainError):
    status = 422
    slug = "validation-error"
    title = _("Some fields are not valid.")


class RateLimited(DomainError):
    status = 429
    slug = "rate-limited"
    title = _("Too many requests; try again later.")

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__()
        self.retry_after_seconds = retry_after_seconds
