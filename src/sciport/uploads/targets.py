"""Where uploads go: each consuming app registers a named target; uploads never imports them.

``authorise(user, metadata, length)`` runs when an upload is created and raises a domain
error to refuse it (``NotFound``, ``PermissionDenied``, ``ValidationFailed``, or
``sciport.uploads.errors.TooLarge`` for a quota). ``complete(upload)`` runs once the
content is safely in storage; the consumer takes it with
``sciport.uploads.services.upload_consume``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from sciport.core.errors import FieldError, ValidationFailed

if TYPE_CHECKING:
    from sciport.uploads.models import Upload

Authorise = Callable[[Any, dict[str, str], int], None]
Complete = Callable[["Upload"], None]


@dataclass(frozen=True)
class Target:
    name: str
    authorise: Authorise
    complete: Complete


_targets: dict[str, Target] = {}


def register(name: str, *, authorise: Authorise, complete: Complete) -> None:
    """Declare a target (call it from the consuming app's ``AppConfig.ready``); registering a name again replaces it."""
    _targets[name] = Target(name=name, authorise=authorise, complete=complete)


def unregister(name: str) -> None:
    """Forget a target; for tests that register their own."""
    _targets.pop(name, None)


def get(name: str) -> Target:
    """The registered target, or a field error naming the metadata key ``target``."""
    try:
        return _targets[name]
    except KeyError:
        known = ", ".join(sorted(_targets)) or "-"
        raise ValidationFailed(
            errors=[
                FieldError(
                    "target", _("Unknown upload target %(name)r; known targets: %(known)s.") % {"name": name, "known": known}
                )
            ]
        ) from None
