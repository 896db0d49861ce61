"""Helpers of the access tests: a fixed clock, and people of organisations at home and abroad."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

SHANGHAI = timezone.get_default_timezone()


def freeze(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Stop the clock at ``moment`` (aware) for everything that asks ``django.utils.timezone.now``."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def at(*parts: int) -> datetime:
    """A moment on the platform's clock (Asia/Shanghai)."""
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


def person_of(make_user: Any, make_organisation: Any, country: str = "CN") -> Any:
    """Someone who belongs to one organisation of ``country`` (its administrator)."""
    person = make_user()
    make_organisation(person, country=country)
    return person
