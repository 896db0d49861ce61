"""Persistent identifiers behind one interface: ``local`` (handle-like, default), ``datacite`` (DOIs), ``cstr``.

Identifiers are minted locally (prefix + public id, no network), so a draft shows its
future citation at once; reserving, registering and updating at the registry happen
in background tasks after commit, retried until the registry answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings


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
    from sciport.datasets.pids.local import LocalProvider

    providers: dict[str, type[PidProvider]] = {"local": LocalProvider}
    return providers[settings.PID_PROVIDER]()
