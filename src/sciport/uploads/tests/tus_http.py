"""tus requests through Django's test client, so the in-process tests read like a tus client's conversation."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from sciport.testing.fixtures import ApiClient

BASE = "/api/v1/uploads/"
OFFSET_TYPE = "application/offset+octet-stream"


def metadata_header(metadata: dict[str, str]) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in metadata.items())


def checksum_header(data: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


class TusSpeaker:
    """One person's tus client: creates uploads and sends chunks with their bearer token."""

    def __init__(self, api: ApiClient) -> None:
        self.client = api.client
        self.headers = {**api.headers, "Tus-Resumable": "1.0.0"}

    def _send(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
        all_headers = {**self.headers, **(headers or {})}
        if body is None:
            return self.client.generic(method, path, headers=all_headers)
        content_type = all_headers.pop("Content-Type", OFFSET_TYPE)
        return self.client.generic(method, path, data=body, content_type=content_type, headers=all_headers)

    def options(self) -> Any:
        return self._send("OPTIONS", BASE)

    def create(self, length: int, metadata: dict[str, str] | None = None, body: bytes | None = None, **headers: str) -> Any:
        sent = {
            "Upload-Length": str(length),
            "Upload-Metadata": metadata_header({"target": "sink", **(metadata or {})}),
            **headers,
        }
        return self._send("POST", BASE, body, sent)

    def url_of(self, created: Any) -> str:
        assert created.status_code == 201, created.content
        return str(created["Location"])

    def head(self, url: str) -> Any:
        return self._send("HEAD", url)

    def patch(self, url: str, offset: int, body: bytes, checksum: str | None = None, **headers: str) -> Any:
        sent = {"Upload-Offset": str(offset), **headers}
        if checksum:
            sent["Upload-Checksum"] = checksum
        return self._send("PATCH", url, body, sent)

    def delete(self, url: str) -> Any:
        return self._send("DELETE", url)

    def get(self, url: str) -> Any:
        return self.client.get(url, headers=self.headers)
