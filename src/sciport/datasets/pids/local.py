"""The embedded default: handle-like identifiers that sciport itself resolves at ``/pid/<identifier>``."""

from __future__ import annotations

from django.conf import settings

from sciport.datasets.pids import PidRecord, local_resolver_url


class LocalProvider:
    name = "local"

    def mint(self, public_id: str) -> str:
        return f"{settings.PID_PREFIX}/{public_id}"

    # The registry is our own database: the landing pages resolve the identifiers directly.
    def reserve(self, record: PidRecord) -> None:
        return None

    def register(self, record: PidRecord) -> None:
        return None

    def update(self, record: PidRecord) -> None:
        return None

    def resolver_url(self, pid: str) -> str:
        return local_resolver_url(pid)
