"""Every change to uploads: create, append a tus chunk, S3 multipart, terminate, expire, consume.

The database offset moves only over bytes that are on disk and passed their checksum;
the final offset is written only once the content is in storage. Then the target's
``complete`` hook runs, and the target takes the stored object with ``upload_consume``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sciport.core import audit, storage
from sciport.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from sciport.core.ids import new_public_id
from sciport.uploads import digests, staging, targets
from sciport.uploads.errors import BadTusRequest, ChecksumMismatch, OffsetMismatch, TooLarge, UploadLocked
from sciport.uploads.models import Upload, UploadProtocol, UploadState
from sciport.uploads.tus import Checksum

HOLDS_BYTES = (UploadState.RECEIVING, UploadState.COMPLETE)
MAX_PART_URLS = 1000  # per answer; a client asks for the next page of part URLs as it goes
_HASH_READ_SIZE = 8 * 1024 * 1024


@dataclass(frozen=True)
class ConsumedUpload:
    """What a target receives: the storage object, now its own, and the checksums of its content."""

    storage_name: str
    size: int
    sha256: str
    md5: str


@dataclass(frozen=True)
class PartUrl:
    number: int
    url: str


def upload_create(*, actor: Any, target: str, metadata: dict[str, str], length: int) -> Upload:
    """Open a tus upload of ``length`` bytes for ``target``, once the target agrees to take it."""
    _check_length(length)
    targets.get(target).authorise(actor, metadata, length)
    with transaction.atomic():
        upload = Upload.objects.create(
            owner=actor, protocol=UploadProtocol.TUS, target=target, target_metadata=metadata, length=length, expires_at=_expiry()
        )
        _record(upload, "create", target=target, length=length, protocol=upload.protocol)
        _schedule_expiry(upload)
    staging.create(upload.public_id)
    return upload


def upload_append(
    *, actor: Any, upload: Upload, offset: int, read: Callable[[int], bytes], count: int, checksum: Checksum | None
) -> Upload:
    """Append one PATCH body of ``count`` bytes at ``offset``; the last chunk puts the content in storage.

    A body cut short keeps what arrived, unless it carried an ``Upload-Checksum``: then
    nothing of it is kept, as when the checksum does not match (460).
    """
    _require_owner(actor, upload)
    _check_chunk(upload, offset, count)
    with staging.locked(upload.public_id):
        upload.refresh_from_db()
        if upload.state != UploadState.RECEIVING:
            raise OffsetMismatch() if upload.state in (UploadState.COMPLETE, UploadState.CONSUMED) else NotFound()
        _check_chunk(upload, offset, count)
        with staging.opened(upload.public_id) as staged:
            if staged.size() < offset:
                _fall_back(upload, staged.size())
            staged.truncate(offset)
            content = digests.recall(upload.pk, offset) or _rehash(staged, offset)
            chunk_hash = checksum.new_hash() if checksum else None
            with digests.hashing(content.feeds(chunk_hash)) as feed:
                received = staged.append(offset, read, count, feed)
            if checksum is not None and chunk_hash is not None:
                if received < count:
                    staged.truncate(offset)
                    raise BadTusRequest(_("The chunk ended before its Content-Length; it was discarded."))
                if chunk_hash.digest() != checksum.digest:
                    staged.truncate(offset)
                    raise ChecksumMismatch()
            if offset + received < upload.length:
                _advance(upload, offset + received)
                digests.remember(upload.pk, upload.offset, content)
                return upload
            stored = storage.adopt(_storage_name(upload), staged.path, sha256=content.sha256.hexdigest())
        _finish(upload, sha256=stored.sha256, md5=content.md5.hexdigest())
        digests.forget(upload.pk)
        staging.remove(upload.public_id)
    _hand_over(upload)
    return upload


def upload_consume(*, upload: Upload) -> ConsumedUpload:
    """The target takes a complete upload's storage object as its own; an upload is consumed once."""
    with transaction.atomic():
        locked = Upload.objects.select_for_update().filter(pk=upload.pk).first()
        if locked is None or locked.state != UploadState.COMPLETE:
            raise Conflict(_("This upload is not complete, or its content was already used."))
        locked.state = UploadState.CONSUMED
        locked.save(update_fields=["state"])
        _record(locked, "consume", target=locked.target)
    upload.state = locked.state
    return ConsumedUpload(storage_name=locked.storage_name, size=locked.length, sha256=locked.sha256, md5=locked.md5)


def upload_terminate(*, actor: Any, upload: Upload) -> None:
    """Stop an upload and free what it holds (tus termination); content already given to its target stays there."""
    _require_owner(actor, upload)
    if upload.state == UploadState.CONSUMED:
        raise Conflict(_("This upload already belongs to its target; remove the file there instead."))
    if upload.protocol == UploadProtocol.TUS and upload.state == UploadState.RECEIVING:
        with staging.locked(upload.public_id):
            upload.refresh_from_db()
            _discard(upload, UploadState.TERMINATED, actor=actor.public_id)
    else:
        _discard(upload, UploadState.TERMINATED, actor=actor.public_id)


def upload_expire(*, public_id: str) -> None:
    """Discard an upload past its expiry; one whose expiry moved on (it kept receiving) is looked at again then."""
    upload = Upload.objects.filter(public_id=public_id, state__in=HOLDS_BYTES).first()
    if upload is None:
        return
    if upload.expires_at > timezone.now():
        _schedule_expiry(upload)
        return
    if upload.protocol == UploadProtocol.TUS and upload.state == UploadState.RECEIVING:
        try:
            with staging.locked(public_id):
                upload.refresh_from_db()
                _discard(upload, UploadState.EXPIRED)
        except UploadLocked:  # a chunk is arriving right now; it moves the expiry on
            _schedule_expiry(upload)
        return
    _discard(upload, UploadState.EXPIRED)


def multipart_create(*, actor: Any, file_name: str, length: int, target: str, metadata: dict[str, str]) -> Upload:
    """Start an S3 multipart upload whose parts the client sends straight to the bucket through presigned URLs."""
    if not storage.direct_upload_available():
        raise Conflict(
            _("This server keeps files on local disk, so parts cannot go straight to S3; upload with tus at /api/v1/uploads/.")
        )
    _check_length(length)
    metadata = {**metadata, "filename": file_name}
    targets.get(target).authorise(actor, metadata, length)
    upload = Upload(
        public_id=new_public_id("upl"),
        owner=actor,
        protocol=UploadProtocol.S3_MULTIPART,
        target=target,
        target_metadata=metadata,
        length=length,
        part_size=storage.multipart_part_size(length),
        expires_at=_expiry(),
    )
    upload.s3_upload_id = storage.multipart_start(_storage_name(upload))
    with transaction.atomic():
        upload.save(force_insert=True)
        _record(upload, "create", target=target, length=length, protocol=upload.protocol)
        _schedule_expiry(upload)
    return upload


def multipart_part_urls(*, actor: Any, upload: Upload, first: int = 1) -> list[PartUrl]:
    """Presigned PUT URLs for parts ``first`` onwards (at most ``MAX_PART_URLS``), valid until the upload expires."""
    _require_owner(actor, upload)
    _require_receiving_multipart(upload)
    total = part_count(upload)
    if not 1 <= first <= total:
        raise ValidationFailed(errors=[FieldError("first", _("Parts are numbered 1 to %(total)s.") % {"total": total})])
    seconds = int((upload.expires_at - timezone.now()).total_seconds())
    seconds = min(max(seconds, 60), storage.PRESIGN_MAX_SECONDS)
    last = min(total, first + MAX_PART_URLS - 1)
    name = _storage_name(upload)
    return [
        PartUrl(number, storage.multipart_part_url(name, upload.s3_upload_id, number, seconds))
        for number in range(first, last + 1)
    ]


def multipart_complete(*, actor: Any, upload: Upload, parts: Sequence[tuple[int, str]]) -> Upload:
    """Assemble the parts, read the object once for its SHA-256 and MD5 (ETags are not content hashes), hand it over."""
    _require_owner(actor, upload)
    _require_receiving_multipart(upload)
    total = part_count(upload)
    if [number for number, _etag in parts] != list(range(1, total + 1)):
        raise ValidationFailed(
            errors=[FieldError("parts", _("List parts 1 to %(total)s in order, each once.") % {"total": total})]
        )
    name = _storage_name(upload)
    try:
        storage.multipart_complete(name, upload.s3_upload_id, parts)
    except storage.MultipartRejected as error:
        raise ValidationFailed(errors=[FieldError("parts", str(error))]) from None
    sha256, md5, size = _hash_object(name)
    if size != upload.length:
        with transaction.atomic():
            upload.state = UploadState.TERMINATED
            upload.save(update_fields=["state"])
            _record(upload, "terminated", actor=actor.public_id, size=size)
        storage.delete(name)
        message = _("The parts hold %(size)s bytes, not the %(length)s announced; the upload was dropped.")
        raise ValidationFailed(errors=[FieldError("parts", message % {"size": size, "length": upload.length})])
    _finish(upload, sha256=sha256, md5=md5)
    _hand_over(upload)
    return upload


def part_count(upload: Upload) -> int:
    return max(1, math.ceil(upload.length / (upload.part_size or 1)))


def _storage_name(upload: Upload) -> str:
    return f"uploads/{upload.public_id}"


def _expiry() -> Any:
    return timezone.now() + timedelta(hours=settings.UPLOAD_EXPIRY_HOURS)


def _check_length(length: int) -> None:
    if length > settings.UPLOAD_MAX_BYTES:
        raise TooLarge(limit_bytes=settings.UPLOAD_MAX_BYTES)


def _check_chunk(upload: Upload, offset: int, count: int) -> None:
    if offset != upload.offset:
        raise OffsetMismatch(_("The server holds %(offset)s bytes of this upload.") % {"offset": upload.offset})
    if offset + count > upload.length:
        raise TooLarge(_("This chunk would go past the declared Upload-Length."), limit_bytes=upload.length)


def _require_owner(actor: Any, upload: Upload) -> None:
    """Uploads are private to the person who makes them; to anyone else they do not exist."""
    if upload.owner_id != getattr(actor, "pk", None):
        raise NotFound()


def _require_receiving_multipart(upload: Upload) -> None:
    if upload.protocol != UploadProtocol.S3_MULTIPART:
        raise NotFound()
    if upload.state != UploadState.RECEIVING:
        raise Conflict(_("This upload is already complete."))


def _record(upload: Upload, action: str, *, actor: str = "", **after: Any) -> None:
    audit.record(
        actor=actor or upload.owner.public_id,
        action=f"upload.{action}",
        object_type="upload",
        object_id=upload.public_id,
        after=after,
    )


def _schedule_expiry(upload: Upload) -> None:
    from sciport.uploads.tasks import expire_upload

    public_id, run_after = upload.public_id, upload.expires_at
    transaction.on_commit(lambda: expire_upload.using(run_after=run_after).enqueue(public_id))


def _fall_back(upload: Upload, staged_size: int) -> None:
    """The staging file lost bytes the database counted (a power cut before the disk caught up): resume from what is there."""
    Upload.objects.filter(pk=upload.pk, state=UploadState.RECEIVING).update(offset=staged_size)
    digests.forget(upload.pk)
    raise OffsetMismatch(_("The server holds %(offset)s bytes of this upload.") % {"offset": staged_size})


def _rehash(staged: staging.StagedFile, offset: int) -> digests.ContentDigests:
    content = digests.ContentDigests()
    with digests.hashing(content.feeds()) as feed:
        staged.hash_prefix(offset, feed)
    return content


def _advance(upload: Upload, new_offset: int) -> None:
    expires_at = _expiry()
    Upload.objects.filter(pk=upload.pk, state=UploadState.RECEIVING).update(offset=new_offset, expires_at=expires_at)
    upload.offset, upload.expires_at = new_offset, expires_at


def _hash_object(name: str) -> tuple[str, str, int]:
    sha256, md5, size = hashlib.sha256(), hashlib.md5(), 0  # noqa: S324 - a content checksum, not security
    for chunk in storage.open_chunks(name, _HASH_READ_SIZE):
        sha256.update(chunk)
        md5.update(chunk)
        size += len(chunk)
    return sha256.hexdigest(), md5.hexdigest(), size


def _finish(upload: Upload, *, sha256: str, md5: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        upload.offset, upload.state, upload.storage_name = upload.length, UploadState.COMPLETE, _storage_name(upload)
        upload.sha256, upload.md5, upload.completed_at, upload.expires_at = sha256, md5, now, _expiry()
        upload.save(update_fields=["offset", "state", "storage_name", "sha256", "md5", "completed_at", "expires_at"])
        _record(upload, "complete", sha256=sha256, length=upload.length)


def _hand_over(upload: Upload) -> None:
    """Give the stored content to its target; if the target refuses, the upload stays complete until it expires."""
    targets.get(upload.target).complete(upload)


def _discard(upload: Upload, state: str, *, actor: str = "") -> None:
    """Mark the upload terminated or expired and delete its bytes: staged, partly in S3, or stored but never used."""
    if upload.state not in HOLDS_BYTES:
        return
    before = upload.state
    with transaction.atomic():
        upload.state = state
        upload.save(update_fields=["state"])
        _record(upload, state, actor=actor or "system", offset=upload.offset)
    if before == UploadState.COMPLETE:
        storage.delete(upload.storage_name)
    elif upload.protocol == UploadProtocol.S3_MULTIPART:
        storage.multipart_abort(_storage_name(upload), upload.s3_upload_id)
    else:
        staging.remove(upload.public_id)
        digests.forget(upload.pk)
