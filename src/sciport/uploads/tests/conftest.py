"""Fixtures of the uploads tests: a staging folder per test, the sink target, a tus speaker over Django's test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sciport.uploads import digests, targets
from sciport.uploads.tests import sink
from sciport.uploads.tests.tus_http import TusSpeaker


@pytest.fixture(autouse=True)
def staging_folder(settings: Any, tmp_path: Path) -> Path:
    settings.UPLOAD_DIR = tmp_path / "staging"
    return settings.UPLOAD_DIR


@pytest.fixture
def sink_target() -> Iterator[list[Any]]:
    """The sink target registered; yields the list of what it consumed."""
    sink.received.clear()
    sink.register()
    yield sink.received
    targets.unregister(sink.NAME)
    sink.received.clear()
    digests._cache.clear()


@pytest.fixture
def tus_for(db: None, api_for: Any) -> Any:
    def make(user: Any) -> TusSpeaker:
        return TusSpeaker(api_for(user))

    return make
