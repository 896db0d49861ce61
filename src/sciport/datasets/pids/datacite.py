"""DOIs through the DataCite REST API (JSON:API at ``/dois``), as a repository with its id and password.

Reserve creates a draft DOI (``POST /dois`` without an event); register publishes it
with its landing page (``PUT /dois/{doi}`` with ``event: publish``, which makes it
findable); update sends the corrected metadata (``PUT`` without an event). Every call
is safe to repeat, because the sync task retries until DataCite answers.
"""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings

from sciport.datasets.pids import PidRecord, RegistryError

MEDIA_TYPE = "application/vnd.api+json"
TIMEOUT_SECONDS = (10, 60)  # connect, read
RESOLVER = "https://doi.org/"


class DataCiteProvider:
    name = "datacite"

    def mint(self, public_id: str) -> str:
        """``{prefix}/{public id}``: public ids are lower-case, so the DOI's case-insensitivity costs nothing."""
        return f"{settings.PID_PREFIX}/{public_id}"

    def reserve(self, record: PidRecord) -> None:
        answer = self._send("POST", "/dois", _document(record, event=None))
        if answer.status_code == 422 and _already_taken(answer):
            return  # reserved by an earlier attempt whose answer was lost
        self._check(answer, record.pid)

    def register(self, record: PidRecord) -> None:
        self._check(self._send("PUT", f"/dois/{record.pid}", _document(record, event="publish")), record.pid)

    def update(self, record: PidRecord) -> None:
        self._check(self._send("PUT", f"/dois/{record.pid}", _document(record, event=None)), record.pid)

    def resolver_url(self, pid: str) -> str:
        return RESOLVER + pid

    def _send(self, method: str, path: str, document: dict[str, Any]) -> requests.Response:
        url = settings.DATACITE_URL.rstrip("/") + path
        try:
            return requests.request(
                method,
                url,
                json=document,
                headers={"Content-Type": MEDIA_TYPE, "Accept": MEDIA_TYPE},
                auth=(settings.DATACITE_USER, settings.DATACITE_PASSWORD),
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as failure:
            raise RegistryError(f"DataCite cannot be reached at {url}: {failure}") from failure

    def _check(self, answer: requests.Response, doi: str) -> None:
        if answer.status_code < 400:
            return
        reasons = _reasons(answer)
        if answer.status_code in (401, 403):
            raise RegistryError(
                f"DataCite refused repository {settings.DATACITE_USER!r} for {doi} ({answer.status_code} {reasons}); "
                "check SCIPORT_DATACITE_USER, SCIPORT_DATACITE_PASSWORD and that SCIPORT_PID_PREFIX is the repository's prefix"
            )
        if answer.status_code == 422:
            raise RegistryError(f"DataCite refused the metadata of {doi}: {reasons}")
        raise RegistryError(f"DataCite answered {answer.status_code} for {doi}: {reasons}")


def _document(record: PidRecord, *, event: str | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {**record.datacite, "doi": record.pid, "url": record.url}
    if event is not None:
        attributes["event"] = event
    return {"data": {"type": "dois", "attributes": attributes}}


def _errors(answer: requests.Response) -> list[dict[str, Any]]:
    try:
        errors = answer.json().get("errors", [])
    except (ValueError, AttributeError):
        return []
    return [error for error in errors if isinstance(error, dict)] if isinstance(errors, list) else []


def _reasons(answer: requests.Response) -> str:
    """DataCite's error titles with the attribute each is about, e.g. ``url: Can't be blank``."""
    reasons = [
        f"{error['source']}: {error.get('title', '')}" if error.get("source") else str(error.get("title", ""))
        for error in _errors(answer)
    ]
    return "; ".join(reasons) or answer.text[:500]


def _already_taken(answer: requests.Response) -> bool:
    return any(error.get("source") == "doi" and "taken" in str(error.get("title", "")) for error in _errors(answer))
