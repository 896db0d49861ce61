"""Page tests render translated pages: compile the committed .po catalogues first (as ``make messages`` does)."""

from __future__ import annotations

import pytest

from sciport.core.i18n_compile import compile_all


def pytest_configure(config: pytest.Config) -> None:
    compile_all()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Page tests create many people; the production hasher's deliberate slowness is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
