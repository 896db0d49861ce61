"""Reads of dataset files: folder listings, one file, what a download holds, and whether the reader may have it.

A folder listing is keyset-paginated on (folder, name): sub-folders first, then files,
each page one index range scan of ``dataset_folder_unique`` or ``dataset_file_path_unique``
and never a count of the whole folder (the version's ``file_count`` says how many there are).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Left
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sciport.core import storage
from sciport.core.errors import DomainError, FieldError, NotFound, ValidationFailed
from sciport.core.pagination import MAX_LIMIT
from sciport.datasets.files import paths, previews
from sciport.datasets.models import DatasetFile, DatasetFolder, DatasetVersion, PrivateLink, VersionState
from sciport.datasets.selectors import access
from sciport.datasets.selectors.versions import visible_versions

MAX_SELECTION = 1000
_ARCHIVE_BATCH = 2000


class Gone(DomainError):
    """The content was there and was withdrawn: 410, with the reason for people."""

    status = 410
    slug = "gone"
    title = gettext_lazy("This content is no longer available.")


@dataclass(frozen=True)
class Listing:
    folders: list[DatasetFolder]
    files: list[DatasetFile]
    next_cursor: str | None


# --- one file -----------------------------------------------------------------------------------


def _files() -> QuerySet[DatasetFile]:
    return DatasetFile.objects.select_related("version__dataset", "version__organisation")


def file_get(user: Any, public_id: str, link: PrivateLink | None = None) -> DatasetFile:
    """A file whose version the reader may see (or the holder of a live private link of it); else 404."""
    found = _files().filter(public_id=public_id).first()
    if found is None:
        raise NotFound()
    by_link = link is not None and link.version_id == found.version_id and access.link_is_live(link)
    if not by_link and not visible_versions(user).filter(pk=found.version_id).exists():
        raise NotFound()
    return found


def require_download(user: Any, version: DatasetVersion, link: PrivateLink | None = None) -> None:
    """Raise unless the reader may have the version's file content: 410 once withdrawn, else 404 saying why."""
    decision = access.download_decision(user, version, link)
    if decision:
        return
    if version.state == VersionState.WITHDRAWN:
        raise Gone(_("This version was withdrawn on %(date)s: %(reason)s") % _tombstone(version))
    raise NotFound(decision.message)


def _tombstone(version: DatasetVersion) -> dict[str, str]:
    withdrawn = version.withdrawn_at.date().isoformat() if version.withdrawn_at else ""
    return {"date": withdrawn, "reason": version.withdrawal_reason or _("no reason was given")}


# --- listing ------------------------------------------------------------------------------------


def _encode(kind: str, folder: str, name: str) -> str:
    raw = json.dumps({"k": kind, "f": folder, "n": name}, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, folder: str) -> tuple[str, str]:
    try:
        decoded = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        kind, cursor_folder, name = decoded["k"], decoded["f"], decoded["n"]
        if kind not in ("d", "f") or cursor_folder != folder or not isinstance(name, str):
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(errors=[FieldError("cursor", _("This cursor is not one we gave out for this folder."))]) from None
    return kind, name


def folder_exists(version: DatasetVersion, folder: str) -> bool:
    if not folder:
        return True
    parent, _slash, name = folder.rpartition("/")
    return DatasetFolder.objects.filter(version=version, parent=parent, name=name).exists()


def folder_listing(version: DatasetVersion, *, folder: str, cursor: str | None, limit: int) -> Listing:
    """One page of a folder: its sub-folders by name, then its files by name."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(errors=[FieldError("limit", _("Ask for between 1 and %d items.") % MAX_LIMIT)])
    kind, after = _decode(cursor, folder) if cursor else ("d", None)
    if cursor is None and not folder_exists(version, folder):
        raise NotFound(_("There is no folder %(path)s in this version.") % {"path": folder})
    folders: list[DatasetFolder] = []
    if kind == "d":
        found = DatasetFolder.objects.filter(version=version, parent=folder)
        if after is not None:
            found = found.filter(name__gt=after)
        folders = list(found.order_by("name")[: limit + 1])
        if len(folders) > limit:
            return Listing(folders[:limit], [], _encode("d", folder, folders[limit - 1].name))
        after = None
    files_found = DatasetFile.objects.filter(version=version, folder=folder)
    if after is not None:
        files_found = files_found.filter(name__gt=after)
    files = list(files_found.order_by("name")[: limit - len(folders) + 1])
    if len(files) > limit - len(folders):
        files = files[: limit - len(folders)]
        last = _encode("f", folder, files[-1].name) if files else _encode("d", folder, folders[-1].name)
        return Listing(folders, files, last)
    return Listing(folders, files, None)


# --- archives -----------------------------------------------------------------------------------


def clean_selection(raw: list[str]) -> list[str]:
    """The selected file and folder paths of an archive, each by the path rules; none means everything."""
    if len(raw) > MAX_SELECTION:
        raise ValidationFailed(
            errors=[FieldError("paths", _("Select at most %d paths; select their folder instead.") % MAX_SELECTION)]
        )
    return sorted({paths.clean_folder(item, field="paths") for item in raw} - {""})


def within(column: str, folder: str) -> Q:
    """Rows whose ``column`` is ``folder`` or below it, compared exactly.

    Not ``startswith``: SQLite's LIKE ignores case (``Data/`` would take ``data/``); and
    not a range, which PostgreSQL orders by the locale's collation rather than the bytes.
    """
    prefix = f"{folder}/"
    return Q(**{column: folder}) | Q(Exact(Left(column, len(prefix)), Value(prefix)))


def _selected(selection: list[str]) -> Q:
    wanted = Q()
    for path in selection:
        parent, _slash, name = path.rpartition("/")
        wanted |= Q(folder=parent, name=name) | within("folder", path)
    return wanted


def archive_files(version: DatasetVersion, selection: list[str]) -> Iterator[DatasetFile]:
    """The files an archive of ``selection`` holds (all when empty), by path, read in keyset batches."""
    files = version.files.all()
    if selection:
        files = files.filter(_selected(selection))
    last: tuple[str, str] | None = None
    while True:
        batch = files
        if last is not None:
            batch = batch.filter(Q(folder__gt=last[0]) | Q(folder=last[0], name__gt=last[1]))
        rows = list(batch.order_by("folder", "name")[:_ARCHIVE_BATCH])
        yield from rows
        if len(rows) < _ARCHIVE_BATCH:
            return
        last = (rows[-1].folder, rows[-1].name)


def archive_totals(version: DatasetVersion, selection: list[str]) -> tuple[int, int]:
    """(files, bytes) of an archive of ``selection``; the version's counters when it is everything."""
    if not selection:
        return version.file_count, version.total_bytes
    totals = version.files.filter(_selected(selection)).aggregate(count=Count("pk"), size=Sum("size"))
    return totals["count"] or 0, totals["size"] or 0


# --- previews -----------------------------------------------------------------------------------


def preview_of(file: DatasetFile) -> dict[str, Any]:
    """The preview of a file, reading at most ``previews.PREFIX_BYTES`` of it; images and PDFs are left to the browser."""
    kind = previews.kind_of(file.media_type, file.size)
    if kind == "none":
        return previews.none(previews.no_preview_reason(file.media_type))
    if not previews.needs_content(kind):
        return {"kind": kind, "media_type": file.media_type}
    try:
        prefix = b"".join(storage.open_chunks(file.blob_name, length=previews.PREFIX_BYTES))
    except FileNotFoundError:
        return previews.none("missing")
    return previews.build(kind, prefix, complete=file.size <= previews.PREFIX_BYTES, name=file.name)
