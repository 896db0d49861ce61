"""The ``dataset`` upload target: tus and S3 multipart uploads that become files of a draft.

Upload metadata (tus ``Upload-Metadata``, or the multipart request's ``metadata``):

- ``version_id`` (required): the draft the file is for;
- ``path`` (or ``filename``): where it goes; when given, the file is attached as soon as
  the upload completes, otherwise the upload waits for ``POST /versions/{id}/files``;
- ``unpack`` (``true``/``false``): unpack a ZIP into the folder of ``path``;
  ``keep_archive`` keeps the ZIP as a file as well;
- ``duplicates`` (``allow``/``refuse``): see ``services.files``.

Creating the upload is refused early (before any byte is sent) when the draft cannot
take it: not visible or not editable (404/403), not a draft (409), a bad path (422), a
path taken (409), or no room left under the version's limits (413).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from sciport.core.errors import Conflict, FieldError, ValidationFailed
from sciport.datasets.files import paths
from sciport.datasets.models import DatasetVersion
from sciport.datasets.selectors.versions import version_get
from sciport.datasets.services import files
from sciport.uploads import targets
from sciport.uploads.models import Upload, UploadState
from sciport.uploads.services import upload_consume

TARGET = "dataset"
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Wanted:
    version_id: str
    path: str
    unpack: bool
    keep_archive: bool
    duplicates: str


def wanted_from(metadata: dict[str, str]) -> Wanted:
    version_id = metadata.get("version_id", "").strip()
    if not version_id:
        raise ValidationFailed(errors=[FieldError("metadata.version_id", _("Name the draft version the file is for."))])
    return Wanted(
        version_id=version_id,
        path=metadata.get("path") or metadata.get("filename") or "",
        unpack=metadata.get("unpack", "").strip().lower() in _TRUE,
        keep_archive=metadata.get("keep_archive", "").strip().lower() in _TRUE,
        duplicates=metadata.get("duplicates", "allow").strip().lower(),
    )


def authorise(user: Any, metadata: dict[str, str], length: int) -> None:
    """Refuse an upload the draft could not take, before its bytes are sent."""
    wanted = wanted_from(metadata)
    version = version_get(user, wanted.version_id, "edit")
    files.require_draft(version)
    if wanted.duplicates not in files.DUPLICATE_CHOICES:
        raise ValidationFailed(
            errors=[FieldError("metadata.duplicates", _("Choose one of: %s.") % ", ".join(files.DUPLICATE_CHOICES))]
        )
    one_file = not wanted.unpack or wanted.keep_archive
    files.check_room(version, files=1 if one_file else 0, size=length)
    if wanted.path:
        clean = paths.clean_path(wanted.path, field="metadata.path")
        if one_file:
            files.require_path_free(version, clean)


def complete(upload: Upload) -> None:
    """Attach a finished upload whose metadata names a path; others wait for the attach request."""
    wanted = wanted_from(upload.target_metadata)
    if not wanted.path:
        return
    version = version_get(upload.owner, wanted.version_id, "edit")
    attach(
        actor=upload.owner,
        version=version,
        upload=upload,
        path=wanted.path,
        unpack=wanted.unpack,
        keep_archive=wanted.keep_archive,
        duplicates=wanted.duplicates,
    )


def attach(
    *,
    actor: Any,
    version: DatasetVersion,
    upload: Upload,
    path: str,
    unpack: bool = False,
    keep_archive: bool = False,
    duplicates: str = "allow",
) -> files.Added:
    """Make a complete upload of ``actor`` a file of the draft (or unpack it); the upload is consumed in the same transaction."""
    if upload.owner_id != actor.pk or upload.target != TARGET:
        raise ValidationFailed(errors=[FieldError("upload_id", _("This is not one of your uploads for a dataset."))])
    if upload.state != UploadState.COMPLETE:
        raise Conflict(_("This upload is not complete, or its content was already used."))
    content = files.StoredContent(upload.storage_name, upload.length, upload.sha256, upload.md5)

    def claim() -> None:
        upload_consume(upload=upload)

    if unpack:
        return files.version_unpack_stored(
            actor=actor, version=version, path=path, content=content, keep=keep_archive, duplicates=duplicates, claim=claim
        )
    return files.version_add_stored(actor=actor, version=version, path=path, content=content, duplicates=duplicates, claim=claim)


def register() -> None:
    targets.register(TARGET, authorise=authorise, complete=complete)
