"""Test session set-up shared by every test folder.

``SCIPORT_TEST_REQUIRE=postgres,s3`` makes a missing service fail the run instead of
letting those tests be skipped.
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["sciport.testing.fixtures", "sciport.testing.s3", "sciport.testing.datasets"]


def required_services() -> set[str]:
    return {name.strip() for name in os.environ.get("SCIPORT_TEST_REQUIRE", "").split(",") if name.strip()}


def pytest_configure(config: pytest.Config) -> None:
    unknown = required_services() - {"postgres", "s3", "browser"}
    if unknown:
        raise pytest.UsageError(f"SCIPORT_TEST_REQUIRE names unknown services: {', '.join(sorted(unknown))}")
    from django.conf import settings

    # Password hashing at full strength costs ~0.7 s per test user; hashing is Django's, not ours to test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "postgres" in required_services():
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(f"SCIPORT_TEST_REQUIRE has postgres but SCIPORT_DATABASE_URL selects {engine}")
