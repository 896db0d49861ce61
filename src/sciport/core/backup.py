"""Backups that restore on SQLite or PostgreSQL: a portable database dump, every stored file, a manifest of checksums.

A backup folder holds ``database.jsonl`` (Django serialization, one object a line),
``files/<object name>`` for every stored object and, written last, ``manifest.json``
with the size and SHA-256 of each. A folder without a manifest is an unfinished backup.

Restore goes only into a freshly migrated, empty database and an empty store, and
checks every checksum before it changes anything. Database sessions are not kept:
people sign in again; API tokens keep working because only their hashes are stored.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.management import call_command, get_commands
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from sciport.core import audit, storage

FORMAT = "sciport-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DUMP_NAME = "database.jsonl"
FILES_FOLDER = "files"
# Rebuilt by ``migrate`` with ids of their own (the dump refers to them by natural
# key), not worth keeping (sessions), or derived and rebuilt after a restore by
# ``sciport reindex`` (search documents; their text index is vendor-specific and
# outside the models anyway). The cache is a plain table, not a model.
EXCLUDED_MODELS = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session", "core.searchdocument"})
_COPY_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be written or restored; the message tells the operator why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    database_rows: int
    files: int
    file_bytes: int
    search_reindexed: bool = False


class _ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts microseconds to milliseconds; audit hashes cover the full timestamp."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _dumped_models() -> list[type[models.Model]]:
    """Every model whose rows belong in a backup, ordered so natural-key references come after their targets."""
    app_list = [(config, None) for config in apps.get_app_configs() if config.models_module is not None]
    return [
        model
        for model in serializers.sort_dependencies(app_list, allow_cycles=True)
        if model._meta.label_lower not in EXCLUDED_MODELS
        and model._meta.managed
        and not model._meta.proxy
        and router.allow_migrate_model(DEFAULT_DB_ALIAS, model)
    ]


def _rows(dumped: list[type[models.Model]], counter: list[int]) -> Iterator[models.Model]:
    for model in dumped:
        queryset = model._base_manager.order_by("pk")
        # The serializer writes only auto-created many-to-many links inline; prefetching them avoids a query per row.
        many_to_many = [
            field.name
            for field in model._meta.many_to_many
            if field.remote_field.through is not None and field.remote_field.through._meta.auto_created
        ]
        if many_to_many:
            queryset = queryset.prefetch_related(*many_to_many)
        for row in queryset.iterator(chunk_size=2000):
            counter[0] += 1
            yield row


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _sciport_version() -> str:
    try:
        return version("sciport")
    except PackageNotFoundError:
        return "unknown"


def _dump_database(path: Path) -> int:
    """Write every row to ``path`` in one consistent snapshot; returns the row count."""
    counter = [0]
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for all tables, so rows written during the dump cannot half-appear.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with open(path, "w", encoding="utf-8") as handle:
            serializers.serialize(
                "jsonl",
                _rows(_dumped_models(), counter),
                stream=handle,
                cls=_ExactJSONEncoder,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=False,  # keep ids: grants and other rows refer to them as plain integers
            )
    return counter[0]


def _copy_files_out(files_folder: Path) -> list[dict[str, Any]]:
    entries = []
    for name in sorted(storage.list_names()):
        target = files_folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with open(target, "wb") as handle:
            for chunk in storage.open_chunks(name):
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
        entries.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    return entries


def backup_create(*, folder: Path) -> BackupReport:
    """Write a backup of the database and every stored file into ``folder``, which must be new or empty.

    The database is dumped first, so every file a dumped row refers to is copied too;
    files added meanwhile are copied as harmless extras.
    """
    folder = folder.resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} already exists and is not an empty folder; choose a new folder for the backup")
    folder.mkdir(parents=True, exist_ok=True)
    dump_path = folder / DUMP_NAME
    rows = _dump_database(dump_path)
    dump_size, dump_sha256 = _hash_file(dump_path)
    files = _copy_files_out(folder / FILES_FOLDER)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "sciport_version": _sciport_version(),
        "database_vendor": connection.vendor,
        "migrations": _applied_migrations(),
        "database": {"file": DUMP_NAME, "rows": rows, "size": dump_size, "sha256": dump_sha256},
        "files": files,
    }
    partial = folder / (MANIFEST_NAME + ".partial")
    partial.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, folder / MANIFEST_NAME)
    return BackupReport(folder=folder, database_rows=rows, files=len(files), file_bytes=sum(entry["size"] for entry in files))


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise BackupError(f"{path} is missing: {folder} is not a finished sciport backup")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest["format"] != FORMAT or manifest["format_version"] != FORMAT_VERSION:
            raise BackupError(f"{path} is not a sciport backup manifest of version {FORMAT_VERSION}")
        for entry in manifest["files"]:
            storage.clean_name(entry["name"])
            int(entry["size"])
            str(entry["sha256"])
        int(manifest["database"]["rows"])
        list(manifest["migrations"])
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{path} is damaged: {error}") from error
    return manifest


def _check_migrations(manifest: dict[str, Any]) -> None:
    missing = sorted(set(manifest["migrations"]) - set(_applied_migrations()))
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise BackupError(f"the database lacks migrations the backup was taken with ({shown}); run `sciport migrate` first")


def _occupied(dumped: list[type[models.Model]]) -> list[str]:
    return [model._meta.label for model in dumped if model._base_manager.exists()]


def _check_target_is_empty() -> None:
    occupied = _occupied(_dumped_models())
    if occupied:
        shown = ", ".join(occupied[:5]) + (" …" if len(occupied) > 5 else "")
        raise BackupError(f"the database already has data ({shown}); restore only into a new, migrated, empty database")
    storage.ensure_bucket()
    if next(iter(storage.list_names()), None) is not None:
        raise BackupError("the file storage is not empty; restore only into a new, empty folder or bucket")


def _verify(folder: Path, manifest: dict[str, Any]) -> None:
    """Recompute every checksum in the manifest; the first mismatch stops the restore before anything changes."""
    checks = [(folder / DUMP_NAME, manifest["database"])]
    checks += [(folder / FILES_FOLDER / entry["name"], entry) for entry in manifest["files"]]
    for path, expected in checks:
        if not path.is_file():
            raise BackupError(f"{path} is listed in the manifest but missing; nothing was restored")
        size, sha256 = _hash_file(path)
        if (size, sha256) != (int(expected["size"]), expected["sha256"]):
            raise BackupError(f"{path} does not match its checksum in the manifest (damaged or altered); nothing was restored")


def _copy_files_in(folder: Path, manifest: dict[str, Any], written: list[str]) -> None:
    for entry in manifest["files"]:
        with open(folder / FILES_FOLDER / entry["name"], "rb") as handle:
            stored = storage.write(entry["name"], handle, size_hint=int(entry["size"]))
        written.append(entry["name"])
        if (stored.size, stored.sha256) != (int(entry["size"]), entry["sha256"]):
            raise BackupError(f"{entry['name']} changed while it was being restored; nothing was restored")


def _load_database(folder: Path, manifest: dict[str, Any]) -> None:
    dumped = _dumped_models()
    with transaction.atomic():
        if _occupied(dumped):
            raise BackupError("the database received data while the restore was running; nothing was restored")
        if manifest["database"]["rows"]:
            call_command("loaddata", str(folder / DUMP_NAME), verbosity=0)
        # loaddata resets the sequences of the tables it filled; doing all of them is
        # cheap and leaves no PostgreSQL sequence behind the restored ids.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), dumped):
                cursor.execute(statement)
        audit.record(
            actor="",
            action="backup.restored",
            object_type="backup",
            object_id=str(manifest["created_at"])[:40],
            after={"files": len(manifest["files"]), "database_rows": manifest["database"]["rows"]},
        )


def backup_restore(*, folder: Path) -> BackupReport:
    """Restore the backup in ``folder`` into this (empty) database and (empty) storage.

    Order: read the manifest, check migrations and emptiness, verify every checksum,
    copy the files (checked again as they are written), then load the database in one
    transaction. If copying or loading fails, the files written so far are removed.
    Last, the search index is rebuilt from the restored rows (``sciport reindex``).
    """
    folder = folder.resolve()
    manifest = _read_manifest(folder)
    _check_migrations(manifest)
    _check_target_is_empty()
    _verify(folder, manifest)
    written: list[str] = []
    try:
        _copy_files_in(folder, manifest, written)
        _load_database(folder, manifest)
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    reindexed = "reindex" in get_commands()
    if reindexed:
        call_command("reindex", stdout=io.StringIO())
    return BackupReport(
        folder=folder,
        database_rows=int(manifest["database"]["rows"]),
        files=len(manifest["files"]),
        file_bytes=sum(int(entry["size"]) for entry in manifest["files"]),
        search_reindexed=reindexed,
    )
