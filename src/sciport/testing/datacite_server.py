"""A loopback DataCite REST API for tests: one repository, its prefix, and DOIs in draft, registered or findable state.

It answers as DataCite does (JSON:API documents, ``errors`` lists with ``source`` and
``title``): 401 on wrong credentials, 403 outside the repository's prefix, 422 when a
DOI is taken or when a DOI that is to be findable lacks a required attribute or does
not pass the DataCite 4.5 schema (DataCite checks findable DOIs against its XSD).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from datacite import schema45

PASSWORD = "s3cret-datacite"
REQUIRED_TO_BE_FINDABLE = ("url", "titles", "creators", "publisher", "publicationYear", "types")
JSON_API_ONLY = ("event", "url", "doi", "prefix", "suffix", "state", "created", "updated")
NEXT_STATE = {  # (state, event) -> state; DataCite ignores an event that does not apply
    ("draft", "publish"): "findable",
    ("draft", "register"): "registered",
    ("registered", "publish"): "findable",
    ("findable", "hide"): "registered",
}


@dataclass
class StoredDoi:
    state: str
    attributes: dict[str, Any]
    updated: list[str] = field(default_factory=list)


class Refused(Exception):
    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(status)
        self.status = status
        self.errors = errors


class FakeDataCite:
    """The registry's state (``dois``) plus the HTTP server in a thread."""

    def __init__(self, *, user: str = "SCIPORT.TEST", password: str = PASSWORD, prefix: str = "10.80001") -> None:
        self.user, self.password, self.prefix = user, password, prefix
        self.dois: dict[str, StoredDoi] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeDataCite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def doi(self, doi: str) -> StoredDoi:
        return self.dois[doi.lower()]

    # --- the API ---

    def authorised(self, header: str | None) -> bool:
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return header == f"Basic {expected}"

    def create(self, document: Any) -> tuple[int, dict[str, Any]]:
        attributes = _attributes(document)
        doi = str(attributes.get("doi") or "").lower()
        if not doi:
            raise Refused(422, [{"source": "doi", "title": "Can't be blank"}])
        self._check_prefix(doi)
        with self.lock:
            if doi in self.dois:
                raise Refused(422, [{"source": "doi", "uid": doi, "title": "This DOI has already been taken"}])
            return 201, self._save(doi, None, attributes)

    def update(self, doi: str, document: Any) -> tuple[int, dict[str, Any]]:
        doi = doi.lower()
        self._check_prefix(doi)
        attributes = _attributes(document)
        with self.lock:
            existing = self.dois.get(doi)
            return (200 if existing else 201), self._save(doi, existing, attributes)

    def show(self, doi: str, authorised: bool) -> dict[str, Any]:
        stored = self.dois.get(doi.lower())
        if stored is None or (stored.state != "findable" and not authorised):
            raise Refused(404, [{"status": "404", "title": "The resource you are looking for doesn't exist."}])
        return _document(doi.lower(), stored)

    def _check_prefix(self, doi: str) -> None:
        if not doi.startswith(f"{self.prefix}/"):
            raise Refused(403, [{"status": "403", "title": "You are not authorized to access this resource."}])

    def _save(self, doi: str, existing: StoredDoi | None, attributes: dict[str, Any]) -> dict[str, Any]:
        event = attributes.pop("event", None)
        state = existing.state if existing else "draft"
        state = NEXT_STATE.get((state, str(event)), state)
        merged = {**(existing.attributes if existing else {}), **attributes, "doi": doi}
        if state != "draft":
            _check_findable(doi, merged)
        stored = StoredDoi(state=state, attributes=merged, updated=[*(existing.updated if existing else [])])
        stored.updated.append(datetime.now(UTC).isoformat())
        self.dois[doi] = stored
        return _document(doi, stored)


def _attributes(document: Any) -> dict[str, Any]:
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or data.get("type") != "dois" or not isinstance(data.get("attributes"), dict):
        raise Refused(400, [{"status": "400", "title": "You need to provide a payload following the JSONAPI spec"}])
    return dict(data["attributes"])


def _check_findable(doi: str, attributes: dict[str, Any]) -> None:
    errors = [
        {"source": key, "uid": doi, "title": "Can't be blank"} for key in REQUIRED_TO_BE_FINDABLE if not attributes.get(key)
    ]
    if not errors:
        metadata = {key: value for key, value in attributes.items() if key not in JSON_API_ONLY}
        metadata.setdefault("schemaVersion", "http://datacite.org/schema/kernel-4")
        for problem in schema45.validator.iter_errors(metadata):
            source = ".".join(str(part) for part in problem.absolute_path) or "metadata"
            errors.append({"source": source, "uid": doi, "title": problem.message})
    if errors:
        raise Refused(422, errors)


def _document(doi: str, stored: StoredDoi) -> dict[str, Any]:
    prefix, _slash, suffix = doi.partition("/")
    attributes = {**stored.attributes, "doi": doi, "prefix": prefix, "suffix": suffix, "state": stored.state}
    return {"data": {"id": doi, "type": "dois", "attributes": attributes}}


def _handler_for(registry: FakeDataCite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(lambda: (200, registry.show(self._doi(), registry.authorised(self.headers.get("Authorization")))))

        def do_POST(self) -> None:
            self._answer(lambda: registry.create(self._body()) if self.path == "/dois" else _not_found(), needs_auth=True)

        def do_PUT(self) -> None:
            self._answer(lambda: registry.update(self._doi(), self._body()), needs_auth=True)

        def _doi(self) -> str:
            if not self.path.startswith("/dois/"):
                _not_found()
            return self.path.removeprefix("/dois/")

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                return json.loads(self.rfile.read(length) or b"null")
            except json.JSONDecodeError:
                raise Refused(400, [{"status": "400", "title": "The JSON payload is not valid"}]) from None

        def _answer(self, respond: Any, *, needs_auth: bool = False) -> None:
            try:
                if needs_auth and not registry.authorised(self.headers.get("Authorization")):
                    raise Refused(401, [{"status": "401", "title": "Bad credentials."}])
                status, body = respond()
            except Refused as refused:
                status, body = refused.status, {"errors": refused.errors}
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.api+json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def _not_found() -> Any:
    raise Refused(404, [{"status": "404", "title": "The resource you are looking for doesn't exist."}])


@contextmanager
def running_datacite(**kwargs: Any) -> Iterator[FakeDataCite]:
    registry = FakeDataCite(**kwargs).start()
    try:
        yield registry
    finally:
        registry.stop()
