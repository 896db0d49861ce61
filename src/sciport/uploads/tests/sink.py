"""A target for tests: it takes every upload it is offered, within a quota named in the metadata.

Registered by a fixture in-process, and by ``sink_app.SinkConfig`` in a server started
with ``live_settings``. Metadata ``quota`` caps the size (413 naming it), ``refuse`` refuses
at creation (403), ``on_complete=refuse`` refuses the finished file (409).
"""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import filesizeformat

from sciport.core.errors import Conflict, PermissionDenied
from sciport.uploads import services, targets
from sciport.uploads.errors import TooLarge
from sciport.uploads.models import Upload

NAME = "sink"
received: list[services.ConsumedUpload] = []


def authorise(user: Any, metadata: dict[str, str], length: int) -> None:
    if metadata.get("refuse"):
        raise PermissionDenied("this sink refuses you")
    quota = int(metadata.get("quota", 0))
    if quota and length > quota:
        raise TooLarge(f"The sink quota is {filesizeformat(quota)}.", limit_bytes=quota)


def complete(upload: Upload) -> None:
    if upload.target_metadata.get("on_complete") == "refuse":
        raise Conflict("the sink is full")
    received.append(services.upload_consume(upload=upload))


def register() -> None:
    targets.register(NAME, authorise=authorise, complete=complete)
