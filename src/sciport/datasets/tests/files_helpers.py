"""Helpers of the dataset file tests: uploads made through the real uploads services, and ZIPs built in memory."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.utils import translation

from sciport.uploads import services as uploads
from sciport.uploads.models import Upload


@pytest.fixture
def in_english() -> Any:
    """Services speak the active language (Chinese by default); these tests read their English messages."""
    with translation.override("en"):
        yield


def upload_bytes(user: Any, data: bytes, **metadata: str) -> Upload:
    """A tus upload to the ``dataset`` target, created and sent in one chunk, as a client would."""
    upload = uploads.upload_create(actor=user, target="dataset", metadata=metadata, length=len(data))
    return uploads.upload_append(actor=user, upload=upload, offset=0, read=io.BytesIO(data).read, count=len(data), checksum=None)


def make_zip(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_with(infos: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, data in infos:
            archive.writestr(info, data)
    return buffer.getvalue()
