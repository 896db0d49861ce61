"""Persistent identifiers behind one interface: ``local`` (handle-like, default), ``datacite`` (DOIs), ``cstr``.

Identifiers are minted locally (prefix + public id, no network), so a draft shows its
future citation at once; reserving, registering and updating at the registry happen
in background tasks after commit, retried until the registry answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.urls import reverse


class RegistryError(Exception):
    """The registry refused or could not be reached; the sync task fails and the platform retries it."""


@dataclass(frozen=True)
class PidRecord:
    """What a registry needs to know of one identifier: where it resolves and its DataCite metadata."""

    pid: str
    url: str
    datacite: dict[str, Any]


class PidProvider(Protocol):
    name: str

    def mint(self, public_id: str) -> str:
        """The identifier for an object with this public id; pure, no network."""
        ...

    def reserve(self, record: PidRecord) -> None: ...
    def register(self, record: PidRecord) -> None: ...
    def update(self, record: PidRecord) -> None: ...

    def resolver_url(self, pid: str) -> str:
        """The URL people follow to resolve the identifier."""
        ...


def provider() -> PidProvider:
    """The provider chosen by ``SCIPORT_PID_PROVIDER`` (looked up per call so tests can switch it)."""
    from sciport.datasets.pids.cstr import CstrProvider
    from sciport.datasets.pids.datacite import DataCiteProvider
    from sciport.datasets.pids.local import LocalProvider

    providers: dict[str, type[PidProvider]] = {"local": LocalProvider, "datacite": DataCiteProvider, "cstr": CstrProvider}
    return providers[settings.PID_PROVIDER]()


def identifier_kind(pid: str) -> str:
    """``DOI``, ``CSTR`` or ``Handle``: read from the identifier itself, so old identifiers keep their kind if the provider changes."""
    if pid.startswith("10."):
        return "DOI"
    if pid.startswith("CSTR:"):
        return "CSTR"
    return "Handle"


def local_resolver_url(pid: str) -> str:
    """sciport's own resolver, for the identifiers it registers itself (handle-like and CSTR)."""
    return settings.SITE_URL + reverse("datasets:resolve_pid", args=[pid])
