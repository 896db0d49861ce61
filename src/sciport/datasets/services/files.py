"""Files of dataset versions: adding (from uploads, ZIPs or bytes), moving, deleting, folders, removing withdrawn content.

Only drafts change, by people who may edit them. Content is stored once per concept and
checksum, as ``datasets/<dataset id>/<sha256>``: a second file, or a later version, with
the same bytes costs a row, not a copy.

Every change locks the concept row first (the lifecycle services lock in the same order),
then the version; so two changes to one dataset's files run one after the other, limits
are checked against settled counts, and a blob is deleted only when no live row uses it
(``_drop_unreferenced``, under the same lock).

Adding content whose SHA-256 is already in the version is allowed and reported: the
answer names the paths that hold the same bytes (``Added.duplicates``). With
``duplicates="refuse"`` such an addition is refused (409) instead, and nothing is added.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from sciport.core import permissions, storage
from sciport.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from sciport.datasets.files import media, paths, unpack
from sciport.datasets.models import Dataset, DatasetFile, DatasetFolder, DatasetVersion, VersionState
from sciport.datasets.selectors.files import within
from sciport.datasets.services.version_audit import record_version_change
from sciport.uploads.errors import TooLarge

logger = logging.getLogger(__name__)

DUPLICATE_CHOICES = ("allow", "refuse")
# Entries unpacked up to this size are read once into memory (hash, then write); larger
# ones are read twice from the archive, so memory stays bounded.
SMALL_ENTRY_BYTES = 8 * 1024 * 1024
_BATCH = 2000
_AUDIT_PATHS = 20


@dataclass(frozen=True)
class Incoming:
    """A file about to be attached: its clean path and its content, already in storage as ``blob_name``."""

    path: paths.FilePath
    size: int
    sha256: str
    md5: str
    blob_name: str


@dataclass
class Added:
    """What an addition attached, and for each new path the paths that already held the same bytes."""

    files: list[DatasetFile]
    duplicates: dict[str, list[str]] = field(default_factory=dict)


def blob_name(dataset: Dataset, sha256: str) -> str:
    return f"datasets/{dataset.public_id}/{sha256}"


# --- checks --------------------------------------------------------------------------------


def _require_editable(actor: Any, version: DatasetVersion) -> None:
    permissions.require(actor, "edit", version)
    require_draft(version)


def require_draft(version: DatasetVersion) -> None:
    if version.state == VersionState.DRAFT:
        return
    if version.state in (VersionState.SUBMITTED, VersionState.IN_CURATION):
        raise Conflict(_("This version is with the curators; recall it to change its files."))
    raise Conflict(_("Only drafts accept file changes; start a new version to change the files."))


def _lock(version: DatasetVersion) -> DatasetVersion:
    """Lock the concept, then the version (the lifecycle's order), and return the version as it now is."""
    Dataset.objects.select_for_update().filter(pk=version.dataset_id).first()
    locked = DatasetVersion.objects.select_for_update().select_related("dataset", "organisation").get(pk=version.pk)
    require_draft(locked)
    return locked


def check_room(version: DatasetVersion, *, files: int, size: int) -> None:
    """``TooLarge`` (413) when ``files`` more files of ``size`` bytes would pass the version's limits."""
    if version.file_count + files > settings.DATASET_MAX_FILES:
        raise TooLarge(
            _(
                "A dataset version may hold at most %(limit)d files; this one has %(count)d, and %(adding)d more would pass the limit."
            )
            % {"limit": settings.DATASET_MAX_FILES, "count": version.file_count, "adding": files},
            limit_bytes=settings.DATASET_MAX_BYTES,
        )
    if version.total_bytes + size > settings.DATASET_MAX_BYTES:
        raise TooLarge(
            _("A dataset version may hold at most %(limit)s; this one holds %(used)s, and %(adding)s more would pass the limit.")
            % {
                "limit": filesizeformat(settings.DATASET_MAX_BYTES),
                "used": filesizeformat(version.total_bytes),
                "adding": filesizeformat(size),
            },
            limit_bytes=settings.DATASET_MAX_BYTES,
        )


def _check_duplicates_choice(duplicates: str) -> None:
    if duplicates not in DUPLICATE_CHOICES:
        raise ValidationFailed(errors=[FieldError("duplicates", _("Choose one of: %s.") % ", ".join(DUPLICATE_CHOICES))])


def _batches(items: Sequence[Any], size: int = 400) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _pairs_taken(
    model: type[DatasetFile] | type[DatasetFolder], version: DatasetVersion, pairs: set[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which (folder, name) pairs already exist in the version as rows of ``model``: one indexed query per batch of folders."""
    parent_field = "folder" if model is DatasetFile else "parent"
    found: set[tuple[str, str]] = set()
    by_folder: dict[str, set[str]] = {}
    for folder, name in pairs:
        by_folder.setdefault(folder, set()).add(name)
    for folders in _batches(sorted(by_folder), 50):
        names = set().union(*(by_folder[folder] for folder in folders))
        for name_batch in _batches(sorted(names)):
            rows = model.objects.filter(version=version, **{f"{parent_field}__in": folders, "name__in": name_batch})
            found.update(pair for pair in rows.values_list(parent_field, "name") if pair in pairs)
    return found


def _check_paths_free(version: DatasetVersion, incoming: Sequence[Incoming], folders: Iterable[str] = ()) -> None:
    """No new file where a file or folder is, and no new folder where a file is."""
    wanted = {(item.path.folder, item.path.name) for item in incoming}
    if len(wanted) < len(incoming):
        raise Conflict(_("Two of the new files have the same path."))
    taken = _pairs_taken(DatasetFile, version, wanted) | _pairs_taken(DatasetFolder, version, wanted)
    if taken:
        path = paths.join(*sorted(taken)[0])
        raise Conflict(
            _("There is already a file or folder at %(path)s; delete or move it first.") % {"path": path},
            errors=[FieldError("path", _("This path is taken."))],
        )
    needed = {pair for item in incoming for pair in paths.ancestors(item.path.folder)}
    needed |= {pair for folder in folders for pair in paths.ancestors(folder)}
    blocking = _pairs_taken(DatasetFile, version, needed) | (needed & wanted)
    if blocking:
        path = paths.join(*sorted(blocking)[0])
        raise Conflict(
            _("%(path)s is a file, so it cannot be a folder too.") % {"path": path},
            errors=[FieldError("path", _("A folder on this path is a file."))],
        )


def require_path_free(version: DatasetVersion, path: paths.FilePath) -> None:
    """Conflict (409) when a file could not be added at ``path`` now; checked again when it is."""
    _check_paths_free(version, [Incoming(path, 0, "", "", "")])


def _find_duplicates(version: DatasetVersion, incoming: Sequence[Incoming]) -> dict[str, list[str]]:
    """For each new path, the existing (or other new) paths with the same SHA-256."""
    holders: dict[str, list[str]] = {}
    digests = sorted({item.sha256 for item in incoming})
    for batch in _batches(digests):
        for sha256, folder, name in version.files.filter(sha256__in=batch).values_list("sha256", "folder", "name"):
            holders.setdefault(sha256, []).append(paths.join(folder, name))
    duplicates: dict[str, list[str]] = {}
    for item in incoming:
        same = holders.setdefault(item.sha256, [])
        if same:
            duplicates[item.path.path] = sorted(same)[:10]
        same.append(item.path.path)
    return duplicates


# --- attaching -----------------------------------------------------------------------------


def _attach(
    actor: Any,
    version: DatasetVersion,
    incoming: Sequence[Incoming],
    *,
    duplicates: str,
    action: str,
    extra_folders: Iterable[str] = (),
    details: dict[str, Any] | None = None,
) -> Added:
    """Inside the service's transaction, with the version locked: check, create folders and rows, count, audit once."""
    extra_folders = list(extra_folders)
    check_room(version, files=len(incoming), size=sum(item.size for item in incoming))
    _check_paths_free(version, incoming, extra_folders)
    found = _find_duplicates(version, incoming)
    if found and duplicates == "refuse":
        path, holders = next(iter(found.items()))
        raise Conflict(
            _("%(path)s has the same content as %(other)s.") % {"path": path, "other": holders[0]},
            errors=[FieldError("path", _("The same content is already in this version."))],
        )
    folders = {pair for item in incoming for pair in paths.ancestors(item.path.folder)}
    folders |= {pair for folder in extra_folders for pair in paths.ancestors(folder)}
    DatasetFolder.objects.bulk_create(
        [DatasetFolder(version=version, parent=parent, name=name) for parent, name in sorted(folders)],
        batch_size=_BATCH,
        ignore_conflicts=True,
    )
    rows = [
        DatasetFile(
            version=version,
            folder=item.path.folder,
            name=item.path.name,
            blob_name=item.blob_name,
            size=item.size,
            sha256=item.sha256,
            md5=item.md5,
            media_type=media.guess(item.path.name),
        )
        for item in incoming
    ]
    DatasetFile.objects.bulk_create(rows, batch_size=_BATCH)
    added_bytes = sum(item.size for item in incoming)
    DatasetVersion.objects.filter(pk=version.pk).update(
        file_count=F("file_count") + len(rows), total_bytes=F("total_bytes") + added_bytes
    )
    version.file_count += len(rows)
    version.total_bytes += added_bytes
    summary = {"files": len(rows), "bytes": added_bytes, "paths": [row.path for row in rows[:_AUDIT_PATHS]]}
    record_version_change(actor, action, version, after={**summary, **(details or {})})
    return Added(rows, found)


def _live_blobs(dataset_pk: int, names: Iterable[str]) -> set[str]:
    """Which of ``names`` a version of the concept that is not withdrawn still uses."""
    live: set[str] = set()
    for batch in _batches(sorted(set(names))):
        rows = DatasetFile.objects.filter(blob_name__in=batch, version__dataset_id=dataset_pk)
        live.update(rows.exclude(version__state=VersionState.WITHDRAWN).values_list("blob_name", flat=True).distinct())
    return live


def _ensure_stored(dataset: Dataset, names: Iterable[str]) -> None:
    """Under the concept lock: content written before the lock, that no row uses yet, must still be there.

    Only a concurrent delete of the same content could have removed it (see ``_drop_unreferenced``).
    """
    unclaimed = set(names) - _live_blobs(dataset.pk, names)
    if not unclaimed:
        return
    if len(unclaimed) > 20:
        present = set(storage.list_names(f"datasets/{dataset.public_id}/"))
        missing = unclaimed - present
    else:
        missing = {name for name in unclaimed if not storage.exists(name)}
    if missing:
        raise Conflict(_("Some content was removed while it was being added; please add it again."))


def _drop_unreferenced(dataset_pk: int, names: Iterable[str]) -> None:
    """Delete the stored content of ``names`` that no live version of the concept uses, holding the concept lock."""
    names = set(names)
    if not names:
        return
    with transaction.atomic():
        Dataset.objects.select_for_update().filter(pk=dataset_pk).first()
        for name in sorted(names - _live_blobs(dataset_pk, names)):
            storage.delete(name)


def drop_content_after_commit(dataset_pk: int, names: Iterable[str]) -> None:
    """Once the transaction commits, delete the content of ``names`` that no live version uses any more."""
    names = set(names)
    if names:
        transaction.on_commit(lambda: _drop_unreferenced(dataset_pk, names))


def version_add_bytes(*, actor: Any, version: DatasetVersion, path: str, data: bytes, duplicates: str = "allow") -> Added:
    """Attach small content held in memory (generated files, tests); uploads go through the uploads target."""
    _check_duplicates_choice(duplicates)
    clean = paths.clean_path(path)
    _require_editable(actor, version)
    sha256 = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        version = _lock(version)
        name = blob_name(version.dataset, sha256)
        reused = bool(_live_blobs(version.dataset_id, [name]))
        item = Incoming(clean, len(data), sha256, hashlib.md5(data, usedforsecurity=False).hexdigest(), name)
        added = _attach(actor, version, [item], duplicates=duplicates, action="dataset.files_add")
        if not reused:
            storage.write(name, [data], size_hint=len(data))
    return added


@dataclass(frozen=True)
class StoredContent:
    """Content a caller already put in storage (a finished upload), which the dataset takes over."""

    storage_name: str
    size: int
    sha256: str
    md5: str


def version_add_stored(
    *,
    actor: Any,
    version: DatasetVersion,
    path: str,
    content: StoredContent,
    duplicates: str = "allow",
    claim: Callable[[], Any] | None = None,
) -> Added:
    """Attach content already in storage (a finished upload) as one file at ``path``, moving it into the concept's store.

    ``claim`` runs first inside the transaction (the uploads consume service), so that a
    refusal leaves the upload unused and a second attach of the same upload fails.
    """
    _check_duplicates_choice(duplicates)
    clean = paths.clean_path(path)
    _require_editable(actor, version)
    with transaction.atomic():
        if claim is not None:
            claim()
        version = _lock(version)
        item = Incoming(clean, content.size, content.sha256, content.md5, blob_name(version.dataset, content.sha256))
        reused = bool(_live_blobs(version.dataset_id, [item.blob_name]))
        added = _attach(actor, version, [item], duplicates=duplicates, action="dataset.files_add")
        _take_over(content, item.blob_name, reused=reused)
    return added


def _take_over(content: StoredContent, name: str, *, reused: bool) -> None:
    """Last step of an attach: move the caller's object to ``name``, or drop it after commit when the concept has those bytes."""
    if reused:
        transaction.on_commit(lambda: storage.delete(content.storage_name))
    else:
        storage.move(content.storage_name, name)


def version_unpack_stored(
    *,
    actor: Any,
    version: DatasetVersion,
    path: str,
    content: StoredContent,
    keep: bool = False,
    duplicates: str = "allow",
    claim: Callable[[], Any] | None = None,
) -> Added:
    """Unpack a stored ZIP into the folder of ``path``; with ``keep`` the ZIP itself is kept at ``path`` too.

    Every entry is checked first (``files.unpack``); the entries are then written to
    storage outside the transaction, and the rows added in one transaction. If anything
    is refused, nothing is added and the content written so far is deleted.
    """
    _check_duplicates_choice(duplicates)
    clean = paths.clean_path(path)
    _require_editable(actor, version)
    kept = (
        [Incoming(clean, content.size, content.sha256, content.md5, blob_name(version.dataset, content.sha256))] if keep else []
    )
    check_room(version, files=len(kept), size=content.size if keep else 0)
    limits = unpack.Limits(
        max_entries=settings.DATASET_MAX_FILES - version.file_count - len(kept),
        max_bytes=settings.DATASET_MAX_BYTES - version.total_bytes - (content.size if keep else 0),
    )
    declared = unpack.declared_entries(content.storage_name, content.size)
    if declared > 2 * settings.DATASET_MAX_FILES:  # files and folder entries; checked before zipfile lists them all
        raise unpack.too_many(declared, limits)
    with unpack.open_archive(content.storage_name, content.size) as archive:
        plan = unpack.plan(archive, limits, archive_size=content.size, prefix=clean.folder)
        incoming, written = _store_members(version.dataset, archive, plan)
    try:
        with transaction.atomic():
            if claim is not None:
                claim()
            version = _lock(version)
            _ensure_stored(version.dataset, written)
            reused = bool(kept) and bool(_live_blobs(version.dataset_id, [kept[0].blob_name]))
            details = {"archive": clean.path, "kept": keep}
            added = _attach(
                actor, version, [*kept, *incoming], duplicates=duplicates, action="dataset.files_unpack",
                extra_folders=plan.folders, details=details,
            )  # fmt: skip
            if keep:
                _take_over(content, kept[0].blob_name, reused=reused)
            else:
                transaction.on_commit(lambda: storage.delete(content.storage_name))
    except BaseException:
        _drop_unreferenced(version.dataset_id, written)
        raise
    return added


def _store_members(dataset: Dataset, archive: Any, plan: unpack.Plan) -> tuple[list[Incoming], set[str]]:
    """Hash every entry and write the content the concept does not have yet; on any failure delete what was written."""
    stored = set(
        DatasetFile.objects.filter(version__dataset=dataset)
        .exclude(version__state=VersionState.WITHDRAWN)
        .values_list("blob_name", flat=True)
        .distinct()
    )
    incoming: list[Incoming] = []
    written: set[str] = set()
    try:
        for member in plan.members:
            small = member.info.file_size <= SMALL_ENTRY_BYTES
            data = b"".join(unpack.member_chunks(archive, member)) if small else None
            sha256, md5 = _digests([data] if data is not None else unpack.member_chunks(archive, member))
            name = blob_name(dataset, sha256)
            if name not in stored and name not in written:
                source = [data] if data is not None else unpack.member_chunks(archive, member)
                storage.write(name, source, size_hint=member.info.file_size)
                written.add(name)
            incoming.append(Incoming(member.path, member.info.file_size, sha256, md5, name))
    except BaseException:
        _drop_unreferenced(dataset.pk, written)
        raise
    return incoming, written


def _digests(chunks: Iterable[bytes]) -> tuple[str, str]:
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        sha256.update(chunk)
        md5.update(chunk)
    return sha256.hexdigest(), md5.hexdigest()


# --- moving and deleting -------------------------------------------------------------------


def version_move_file(*, actor: Any, file: DatasetFile, path: str) -> DatasetFile:
    """Rename a draft's file or move it to another folder (folders on the way are created)."""
    clean = paths.clean_path(path)
    _require_editable(actor, file.version)
    with transaction.atomic():
        version = _lock(file.version)
        file = DatasetFile.objects.select_for_update().filter(pk=file.pk, version=version).first() or _gone()
        before = file.path
        if clean.path == before:
            return file
        probe = Incoming(clean, file.size, file.sha256, file.md5, file.blob_name)
        _check_paths_free(version, [probe])
        DatasetFolder.objects.bulk_create(
            [DatasetFolder(version=version, parent=parent, name=name) for parent, name in paths.ancestors(clean.folder)],
            ignore_conflicts=True,
        )
        file.folder, file.name, file.media_type = clean.folder, clean.name, media.guess(clean.name)
        file.save(update_fields=["folder", "name", "media_type"])
        record_version_change(
            actor, "dataset.file_move", version, after={"file": file.public_id, "path": file.path}, before={"path": before}
        )
    return file


def _gone() -> Any:
    raise NotFound()


def version_delete_file(*, actor: Any, file: DatasetFile) -> None:
    """Remove a file from a draft; its content goes too unless another live version of the dataset uses it."""
    _require_editable(actor, file.version)
    with transaction.atomic():
        version = _lock(file.version)
        file = DatasetFile.objects.filter(pk=file.pk, version=version).first() or _gone()
        _remove_rows(version, DatasetFile.objects.filter(pk=file.pk))
        record_version_change(
            actor, "dataset.file_delete", version, before={"file": file.public_id, "path": file.path, "sha256": file.sha256}
        )


def _remove_rows(version: DatasetVersion, files: Any) -> tuple[int, int]:
    """Delete file rows of a locked version, keep its counts right, and drop unused content after commit."""
    blobs = set(files.values_list("blob_name", flat=True).distinct())
    totals = files.aggregate(count=Count("pk"), size=Sum("size"))
    count, size = totals["count"] or 0, totals["size"] or 0
    files.delete()
    DatasetVersion.objects.filter(pk=version.pk).update(file_count=F("file_count") - count, total_bytes=F("total_bytes") - size)
    version.file_count -= count
    version.total_bytes -= size
    drop_content_after_commit(version.dataset_id, blobs)
    return count, size


# --- folders -------------------------------------------------------------------------------


def folder_create(*, actor: Any, version: DatasetVersion, path: str) -> str:
    """Make an (empty) folder and the folders on the way to it; making one that exists changes nothing."""
    folder = paths.clean_folder(path, field="path")
    if not folder:
        raise ValidationFailed(errors=[FieldError("path", _("Give the folder a name."))])
    _require_editable(actor, version)
    with transaction.atomic():
        version = _lock(version)
        _check_paths_free(version, [], [folder])
        created = DatasetFolder.objects.bulk_create(
            [DatasetFolder(version=version, parent=parent, name=name) for parent, name in paths.ancestors(folder)],
            ignore_conflicts=True,
        )
        record_version_change(actor, "dataset.folder_create", version, after={"folder": folder, "created": len(created)})
    return folder


def folder_delete(*, actor: Any, version: DatasetVersion, path: str, recursive: bool = False) -> int:
    """Remove a folder; with ``recursive`` its files and sub-folders too, else it must be empty. Returns the files removed."""
    folder = paths.clean_folder(path, field="path")
    if not folder:
        raise ValidationFailed(errors=[FieldError("path", _("The top folder of a dataset cannot be removed."))])
    _require_editable(actor, version)
    parent, _slash, name = folder.rpartition("/")
    with transaction.atomic():
        version = _lock(version)
        if not version.folders.filter(parent=parent, name=name).exists():
            raise NotFound(_("There is no folder %(path)s.") % {"path": folder})
        inside_files = version.files.filter(within("folder", folder))
        inside_folders = version.folders.filter(within("parent", folder))
        if not recursive and (inside_files.exists() or inside_folders.exists()):
            raise Conflict(_("The folder %(path)s is not empty.") % {"path": folder})
        removed, size = _remove_rows(version, inside_files)
        inside_folders.delete()
        version.folders.filter(parent=parent, name=name).delete()
        record_version_change(actor, "dataset.folder_delete", version, before={"folder": folder, "files": removed, "bytes": size})
    return removed


# --- withdrawal ----------------------------------------------------------------------------


def remove_withdrawn_content(*, version_id: int) -> None:
    """Delete the stored objects of a withdrawn version that no other live version still uses.

    Metadata and file rows stay (the tombstone lists what was there); only content goes.
    """
    version = DatasetVersion.objects.filter(pk=version_id, state=VersionState.WITHDRAWN).first()
    if version is not None:
        _drop_unreferenced(version.dataset_id, version.files.values_list("blob_name", flat=True).distinct())
