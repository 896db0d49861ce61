"""What a file path inside a dataset may be, decided once for uploads, moves, folders and unpacked ZIP entries.

A path is ``folder/sub/name`` with ``/`` between segments. It is stored as two columns
(``folder``, ``name``) so that a folder listing is one index range.

Normalised silently, because the result means the same to every reader:
- Unicode to NFC (a macOS ``é`` made of two code points equals the Windows one);
- ``.`` segments are dropped (``./data/./a.csv`` is ``data/a.csv``).

Refused with a field error, because any guess could put a file somewhere its owner did
not mean, or let it escape the dataset when it is unpacked on someone's disk:
- ``..`` segments, a leading ``/`` (absolute) or a drive letter (``C:``);
- backslashes (a Windows separator on one system, a name character on another);
- control characters (NUL, newlines, C1) and bidirectional overrides, which can disguise
  an extension (``txt.exe`` shown as ``exe.txt``);
- empty segments (``a//b``, a trailing ``/``) and segments of only spaces;
- a segment over 255 bytes of UTF-8 (the limit of common file systems) or a path over
  1024 bytes (the S3 key limit, with the storage prefix kept apart).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sciport.core.errors import FieldError, ValidationFailed

MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 1024
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_DRIVE = re.compile(r"^[A-Za-z]:$")


@dataclass(frozen=True)
class FilePath:
    """A clean path split into its folder (``""`` at the root) and its name."""

    folder: str
    name: str

    @property
    def path(self) -> str:
        return join(self.folder, self.name)


def join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def ancestors(folder: str) -> list[tuple[str, str]]:
    """Every folder on the way to ``folder`` as ``(parent, name)`` pairs, outermost first (none for the root)."""
    if not folder:
        return []
    segments = folder.split("/")
    return [("/".join(segments[:depth]), segments[depth]) for depth in range(len(segments))]


def _refusal(segments: list[str], raw: str) -> str | None:
    """Why the already split path is refused, or None; the first rule broken decides."""
    long_name = next((segment for segment in segments if len(segment.encode()) > MAX_NAME_BYTES), None)
    rules: list[tuple[bool, Callable[[], str]]] = [
        (
            any(ord(c) < 32 or 127 <= ord(c) < 160 or c in _BIDI_CONTROLS for c in raw),
            lambda: _("Names may not contain control characters (such as NUL or a line break) or text-direction overrides."),
        ),
        ("\\" in raw, lambda: _("Use / between folders; backslashes are not allowed.")),
        (
            raw.startswith("/") or bool(segments and _DRIVE.match(segments[0])),
            lambda: _("Give a path inside the dataset, not one that starts with / or a drive letter."),
        ),
        (".." in segments, lambda: _("Paths may not contain '..'.")),
        (
            any(not segment.strip() for segment in segments),
            lambda: _("Paths may not contain empty names (two slashes in a row, a slash at the end, or only spaces)."),
        ),
        (
            long_name is not None,
            lambda: (
                _("The name %(name)s… is longer than %(limit)d bytes.")
                % {"name": (long_name or "")[:40], "limit": MAX_NAME_BYTES}
            ),
        ),
        (
            len("/".join(segments).encode()) > MAX_PATH_BYTES,
            lambda: _("The path is longer than %(limit)d bytes.") % {"limit": MAX_PATH_BYTES},
        ),
    ]
    return next((message() for broken, message in rules if broken), None)


def _segments(raw: object, field: str) -> list[str]:
    if not isinstance(raw, str):
        raise ValidationFailed(errors=[FieldError(field, _("Give the path as text."))])
    text = unicodedata.normalize("NFC", raw)
    segments = [segment for segment in text.split("/") if segment != "."]
    problem = _refusal(segments, text)
    if problem:
        raise ValidationFailed(errors=[FieldError(field, problem)])
    return segments


def clean_path(raw: object, *, field: str = "path") -> FilePath:
    """The clean form of a file path, or ``ValidationFailed`` naming ``field`` and saying what is wrong."""
    segments = _segments(raw, field)
    if not segments:
        raise ValidationFailed(errors=[FieldError(field, _("Give the file a name."))])
    return FilePath(folder="/".join(segments[:-1]), name=segments[-1])


def clean_folder(raw: object, *, field: str = "folder") -> str:
    """The clean form of a folder path; ``""`` (or ``.``) is the dataset's root."""
    if raw == "":
        return ""
    return "/".join(_segments(raw, field))
