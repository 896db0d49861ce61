"""Domain errors on pages: not-found and forbidden become Django's 404 and 403 pages, field errors land on forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from sciport.core.errors import DomainError, NotFound, PermissionDenied

View = TypeVar("View", bound=Callable[..., Any])


def page_errors(view: View) -> View:
    """Let a page view raise the services' ``NotFound`` and ``PermissionDenied`` like Django's own."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except NotFound as error:
            raise Http404(str(error)) from None
        except PermissionDenied as error:
            raise DjangoPermissionDenied(str(error)) from None

    return wrapper  # type: ignore[return-value]


def add_errors(form: forms.Form, error: DomainError) -> None:
    """Put a service's field errors next to the form's fields; the rest (and the detail) above the form."""
    for field_error in error.errors:
        field = field_error.field if field_error.field in form.fields else None
        form.add_error(field, str(field_error.message))
    if not error.errors:
        form.add_error(None, str(error))
