"""Request parsing for the API: text containing NUL is bad input, never a database error.

PostgreSQL cannot store NUL in text, so a NUL that reached a query would surface as a
500; it is refused here, at the edge, for bodies, query strings and paths alike.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from sciport.core.errors import FieldError, ValidationFailed

NUL = "\x00"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def nul_fields(query: MultiValueDict[str, str]) -> list[FieldError]:
    """Query parameters whose name or value holds a NUL character."""
    return [
        FieldError(key.replace(NUL, ""), _("Text must not contain NUL characters."))
        for key, values in query.lists()
        if NUL in key or any(NUL in value for value in values)
    ]


class JsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        if _has_nul(data):
            # django-ninja answers any parse failure with 400, which is what this is.
            raise ValueError("text must not contain NUL characters")
        return data

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest) -> Any:
        errors = nul_fields(data)
        if errors:
            raise ValidationFailed(errors=errors)
        return super().parse_querydict(data, list_fields, request)
