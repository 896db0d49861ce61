"""Stored files: one small interface over the Django storage chosen in settings.

``settings.STORAGES["default"]`` is either a ``FileSystemStorage`` (embedded default)
or django-storages' ``S3Storage``. Both are used directly for the cheap calls, but
reads and writes of file content go around them: Django's ``save`` renames on name
clashes and ``S3File`` spools whole objects to memory or disk, while datasets are
many gigabytes. Here every byte moves in bounded chunks and the SHA-256 is computed
on the way, so a file is read once.

Object names are chosen by services (public ids, never a user's file name) and are
checked by ``clean_name``; the same name means the same object on both backends.

Large uploads arrive elsewhere first: ``adopt`` moves a finished local file into
storage without a second local copy, and on S3 the ``multipart_*`` functions let a
client send parts straight to the bucket through presigned URLs.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import math
import mimetypes
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, storages
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

CHUNK_SIZE = 1024 * 1024
# S3 parts must be at least 5 MiB (except the last) and one upload has at most 10,000
# parts, so 8 MiB parts reach 78 GiB; a known larger size gets larger parts.
S3_PART_SIZE = 8 * 1024 * 1024
_S3_MAX_PARTS = 9_000  # below the 10,000 limit, so a size hint that is a little low still fits
S3_LIST_PAGE_SIZE = 1000  # the most S3 returns per request
PRESIGN_MAX_SECONDS = 7 * 24 * 3600  # the SigV4 limit
_MAX_NAME_BYTES = 1024  # the S3 key limit
# Local writes land here first and are renamed into place, so readers never see half a file.
_PARTIAL_DIR = ".partial"


@dataclass(frozen=True)
class StoredObject:
    name: str
    size: int
    sha256: str


class InvalidName(ValueError):
    """An object name that could escape the storage root or mean different things on disk and S3."""


class StorageUnavailable(Exception):
    """The configured storage cannot be reached or written; the message says why."""


class DirectUploadUnavailable(Exception):
    """Presigned part uploads need S3; the configured storage is a local folder."""


class MultipartRejected(ValueError):
    """The store refused to assemble a multipart upload (a missing part, a wrong ETag, a part too small); the message says why."""


def clean_name(name: str) -> str:
    """Return ``name`` unchanged if it is a safe relative ``a/b/c`` path, else raise ``InvalidName``.

    Refused: empty or absolute names, ``.``/``..``/empty segments, backslashes, control
    characters, more than 1024 bytes, and the reserved top-level ``.partial`` folder.
    Nothing is normalised, so a name maps to exactly one object everywhere.
    """
    if not isinstance(name, str) or not name:
        raise InvalidName("an object name must be a non-empty string")
    if len(name.encode()) > _MAX_NAME_BYTES:
        raise InvalidName(f"object name longer than {_MAX_NAME_BYTES} bytes")
    if "\\" in name or any(ord(character) < 32 or ord(character) == 127 for character in name):
        raise InvalidName(f"object name has a backslash or control character: {name!r}")
    segments = name.split("/")
    if any(segment in {"", ".", ".."} for segment in segments):
        raise InvalidName(f"object name must be a relative path without empty, '.' or '..' parts: {name!r}")
    if segments[0] == _PARTIAL_DIR:
        raise InvalidName(f"object names may not start with {_PARTIAL_DIR}/")
    return name


class _HashingReader:
    """A file-like ``read(n)`` over a stream or an iterable of bytes that hashes and counts what passes.

    ``read(n)`` returns exactly ``n`` bytes until the end: S3 refuses short multipart parts.
    """

    def __init__(self, source: IO[bytes] | Iterable[bytes]) -> None:
        self._read_source = getattr(source, "read", None)
        self._pieces = None if self._read_source else iter(source)
        self._buffer = bytearray()
        self._done = False
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def _fill(self, wanted: int) -> None:
        while not self._done and len(self._buffer) < wanted:
            if self._read_source is not None:
                piece = self._read_source(wanted - len(self._buffer))
                self._done = not piece
            else:
                assert self._pieces is not None
                piece = next(self._pieces, None)
                self._done = piece is None
            self._buffer += piece or b""

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            while not self._done:
                self._fill(len(self._buffer) + CHUNK_SIZE)
            size = len(self._buffer)
        self._fill(size)
        with memoryview(self._buffer) as view:
            data = bytes(view[:size])
            # A new buffer for the remainder (less than one piece) frees the part-sized one.
            self._buffer = bytearray(view[size:])
        self.digest.update(data)
        self.size += len(data)
        return data


class _Backend(Protocol):
    def write(self, name: str, reader: _HashingReader, size_hint: int | None) -> None: ...
    def adopt(self, name: str, local_path: Path, size: int) -> None: ...
    def open_chunks(self, name: str, chunk_size: int, start: int, length: int | None) -> Iterator[bytes]: ...
    def move(self, source: str, target: str) -> None: ...
    def exists(self, name: str) -> bool: ...
    def size(self, name: str) -> int: ...
    def delete(self, name: str) -> None: ...
    def list_names(self, prefix: str) -> Iterator[str]: ...
    def presigned_url(self, name: str, expires_seconds: int, download_name: str | None) -> str | None: ...
    def check(self) -> None: ...
    def ensure_bucket(self) -> None: ...


class _LocalDisk:
    def __init__(self, storage: FileSystemStorage) -> None:
        self.storage = storage
        self.root = Path(storage.location)

    def write(self, name: str, reader: _HashingReader, size_hint: int | None) -> None:
        target = Path(self.storage.path(name))
        partial_dir = self.root / _PARTIAL_DIR
        partial_dir.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(dir=partial_dir, delete=False)  # noqa: SIM115 - renamed into place below
        try:
            with handle:
                while chunk := reader.read(CHUNK_SIZE):
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if self.storage.file_permissions_mode is not None:
                os.chmod(handle.name, self.storage.file_permissions_mode)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(handle.name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(handle.name)
            raise

    def adopt(self, name: str, local_path: Path, size: int) -> None:
        with open(local_path, "rb") as handle:
            os.fsync(handle.fileno())
        if self.storage.file_permissions_mode is not None:
            os.chmod(local_path, self.storage.file_permissions_mode)
        target = Path(self.storage.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(local_path, target)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            with open(local_path, "rb") as source:  # another file system: one streamed copy, then the original goes
                self.write(name, _HashingReader(source), size)
            os.unlink(local_path)

    def open_chunks(self, name: str, chunk_size: int, start: int, length: int | None) -> Iterator[bytes]:
        path = Path(self.storage.path(name))
        if not path.is_file():
            raise FileNotFoundError(name)  # now, not at the first next()
        return self._chunks(path, chunk_size, start, length)

    @staticmethod
    def _chunks(path: Path, chunk_size: int, start: int, length: int | None) -> Iterator[bytes]:
        with open(path, "rb") as handle:
            handle.seek(start)
            left = length
            while left is None or left > 0:
                chunk = handle.read(chunk_size if left is None else min(chunk_size, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def move(self, source: str, target: str) -> None:
        destination = Path(self.storage.path(target))
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.storage.path(source), destination)

    def exists(self, name: str) -> bool:
        return self.storage.exists(name)

    def size(self, name: str) -> int:
        return self.storage.size(name)

    def delete(self, name: str) -> None:
        self.storage.delete(name)

    def list_names(self, prefix: str) -> Iterator[str]:
        # Walk only the folder the prefix points into; a prefix may end inside a file name.
        start = self.root / prefix.rpartition("/")[0]
        for folder, subfolders, files in os.walk(start):
            relative_folder = Path(folder).relative_to(self.root).as_posix()
            if relative_folder == ".":
                subfolders[:] = [sub for sub in subfolders if sub != _PARTIAL_DIR]
                relative_folder = ""
            subfolders.sort()
            for file_name in sorted(files):
                name = f"{relative_folder}/{file_name}" if relative_folder else file_name
                if name.startswith(prefix):
                    yield name

    def presigned_url(self, name: str, expires_seconds: int, download_name: str | None) -> str | None:
        return None

    def check(self) -> None:
        # The folder may not exist before the first upload; FileSystemStorage would create it then.
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageUnavailable(f"storage folder {self.root} cannot be created: {error}") from error
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable(f"storage folder {self.root} is not writable")

    def ensure_bucket(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)


class _BodyChunks:
    """The chunks of an S3 GET body; ``close`` (which Django calls on every response) frees the connection even unread."""

    def __init__(self, body: Any, chunk_size: int) -> None:
        self._body = body
        self._chunks = body.iter_chunks(chunk_size)

    def __iter__(self) -> _BodyChunks:
        return self

    def __next__(self) -> bytes:
        try:
            return bytes(next(self._chunks))
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._body.close()


class _S3:
    def __init__(self, storage: S3Storage) -> None:
        self.storage = storage
        self.bucket_name: str = storage.bucket_name
        self.location: str = storage.location.strip("/")

    @property
    def client(self) -> Any:
        return self.storage.connection.meta.client

    def key(self, name: str) -> str:
        return f"{self.location}/{name}" if self.location else name

    def _object_arguments(self, name: str) -> dict[str, Any]:
        extra: dict[str, Any] = self.storage.get_object_parameters(name)
        extra.setdefault("ContentType", mimetypes.guess_type(name)[0] or "application/octet-stream")
        if self.storage.default_acl and "ACL" not in extra:
            extra["ACL"] = self.storage.default_acl
        return extra

    def write(self, name: str, reader: _HashingReader, size_hint: int | None) -> None:
        extra = self._object_arguments(name)
        self.client.upload_fileobj(reader, self.bucket_name, self.key(name), ExtraArgs=extra, Config=_upload_config(size_hint))

    def adopt(self, name: str, local_path: Path, size: int) -> None:
        extra = self._object_arguments(name)
        self.client.upload_file(str(local_path), self.bucket_name, self.key(name), ExtraArgs=extra, Config=_upload_config(size))
        os.unlink(local_path)

    def multipart_start(self, name: str) -> str:
        arguments = self._object_arguments(name)
        return str(self.client.create_multipart_upload(Bucket=self.bucket_name, Key=self.key(name), **arguments)["UploadId"])

    def multipart_part_url(self, name: str, upload_id: str, part_number: int, expires_seconds: int) -> str:
        params = {"Bucket": self.bucket_name, "Key": self.key(name), "UploadId": upload_id, "PartNumber": part_number}
        return str(self.client.generate_presigned_url("upload_part", Params=params, ExpiresIn=expires_seconds))

    def multipart_complete(self, name: str, upload_id: str, parts: Sequence[tuple[int, str]]) -> None:
        assembly = {"Parts": [{"PartNumber": number, "ETag": etag} for number, etag in parts]}
        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket_name, Key=self.key(name), UploadId=upload_id, MultipartUpload=assembly
            )
        except ClientError as error:
            if _status(error) >= 500:
                raise
            raise MultipartRejected(error.response.get("Error", {}).get("Message") or str(error)) from error

    def multipart_abort(self, name: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket_name, Key=self.key(name), UploadId=upload_id)
        except ClientError as error:
            if _status(error) != 404:  # already completed or aborted
                raise

    def open_chunks(self, name: str, chunk_size: int, start: int, length: int | None) -> Iterator[bytes]:
        arguments = {"Bucket": self.bucket_name, "Key": self.key(name)}
        if start or length is not None:
            arguments["Range"] = f"bytes={start}-{'' if length is None else start + length - 1}"
        try:
            body = self.client.get_object(**arguments)["Body"]
        except ClientError as error:
            if _status(error) == 404:
                raise FileNotFoundError(name) from error
            if _status(error) == 416:  # the range starts past the end: nothing there, as on disk
                return iter(())
            raise
        return _BodyChunks(body, chunk_size)

    def move(self, source: str, target: str) -> None:
        # A managed copy: server-side, in parts beyond the part size (S3 copies at most 5 GB at once).
        size = self.size(source)
        copy_source = {"Bucket": self.bucket_name, "Key": self.key(source)}
        self.client.copy(copy_source, self.bucket_name, self.key(target), Config=_upload_config(size))
        self.delete(source)

    def exists(self, name: str) -> bool:
        return bool(self.storage.exists(name))

    def size(self, name: str) -> int:
        try:
            return int(self.client.head_object(Bucket=self.bucket_name, Key=self.key(name))["ContentLength"])
        except ClientError as error:
            if _status(error) == 404:
                raise FileNotFoundError(name) from error
            raise

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket_name, Key=self.key(name))

    def list_names(self, prefix: str) -> Iterator[str]:
        strip = len(self.key(""))
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.bucket_name, Prefix=self.key(prefix), PaginationConfig={"PageSize": S3_LIST_PAGE_SIZE}
        )
        for page in pages:
            for entry in page.get("Contents", ()):
                yield entry["Key"][strip:]

    def presigned_url(self, name: str, expires_seconds: int, download_name: str | None) -> str | None:
        params = {"Bucket": self.bucket_name, "Key": self.key(name)}
        if download_name:
            params["ResponseContentDisposition"] = content_disposition_header(as_attachment=True, filename=download_name) or ""
        return str(self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_seconds))

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket_name)
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(f"bucket {self.bucket_name!r}: {error}") from error

    def ensure_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket_name)
            return
        except ClientError as error:
            if _status(error) != 404:
                raise
        region = self.storage.region_name or "us-east-1"
        arguments: dict[str, Any] = {"Bucket": self.bucket_name}
        if region != "us-east-1":
            arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
        self.client.create_bucket(**arguments)


def _upload_config(size_hint: int | None) -> TransferConfig:
    """Two parts uploading and one read ahead: an upload holds about three parts in memory whatever the file size.

    boto3's default would buffer ten parts per upload.
    """
    part_size = multipart_part_size(size_hint or 0)
    config = TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size, max_concurrency=2)
    config.max_in_memory_upload_chunks = 1  # s3transfer's knob; boto3's constructor does not take it
    return config


def multipart_part_size(size: int) -> int:
    """The part size for an object of ``size`` bytes: 8 MiB, or whole MiB large enough to stay within the part limit."""
    mebibyte = 1024 * 1024
    return max(S3_PART_SIZE, math.ceil(size / _S3_MAX_PARTS / mebibyte) * mebibyte)


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _backend() -> _Backend:
    # Looked up on every call: tests and settings overrides swap the default storage.
    storage = storages["default"]
    if isinstance(storage, S3Storage):
        return _S3(storage)
    if isinstance(storage, FileSystemStorage):
        return _LocalDisk(storage)
    raise ImproperlyConfigured(f"sciport.core.storage supports FileSystemStorage and S3Storage, not {type(storage).__name__}")


def write(name: str, source: IO[bytes] | Iterable[bytes], *, size_hint: int | None = None) -> StoredObject:
    """Store ``source`` (a binary stream or an iterable of byte chunks) as ``name``, replacing any object of that name.

    Memory stays bounded by a few chunks; size and SHA-256 are of the bytes actually read.
    ``size_hint`` (the expected size, when known) lets S3 uploads beyond 70 GiB pick larger parts.
    """
    reader = _HashingReader(source)
    _backend().write(clean_name(name), reader, size_hint)
    return StoredObject(name=name, size=reader.size, sha256=reader.digest.hexdigest())


def adopt(name: str, local_path: str | os.PathLike[str], *, sha256: str | None = None) -> StoredObject:
    """Move a finished local file into storage as ``name``; the local file is gone afterwards.

    Local disk: synced and renamed into place (one streamed copy when the storage folder
    is on another file system). S3: uploaded in parts straight from the file, with the
    bounded transfer settings of ``write``. Pass ``sha256`` when the bytes were hashed
    as they arrived; otherwise the file is read once to compute it.
    """
    path = Path(local_path)
    size = path.stat().st_size
    if sha256 is None:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                digest.update(chunk)
        sha256 = digest.hexdigest()
    _backend().adopt(clean_name(name), path, size)
    return StoredObject(name=name, size=size, sha256=sha256)


def open_chunks(name: str, chunk_size: int = CHUNK_SIZE, *, start: int = 0, length: int | None = None) -> Iterator[bytes]:
    """Yield the object's bytes in pieces of at most ``chunk_size``; raises ``FileNotFoundError`` when it is missing.

    ``start`` and ``length`` read only that range (a seek on disk, a ranged GET on S3);
    a range reaching past the end yields the bytes there are, possibly none.
    """
    if start < 0 or (length is not None and length < 0):
        raise ValueError("start and length must not be negative")
    if length == 0:
        return iter(())
    return _backend().open_chunks(clean_name(name), chunk_size, start, length)


def move(source: str, target: str) -> None:
    """Give the object ``source`` the name ``target``, replacing any object there: a rename on disk, a server-side copy on S3."""
    _backend().move(clean_name(source), clean_name(target))


def checksum(name: str) -> StoredObject:
    """Read the object once and return its size and SHA-256 (S3 ETags are not content hashes for multipart uploads)."""
    digest = hashlib.sha256()
    size = 0
    for chunk in open_chunks(name):
        digest.update(chunk)
        size += len(chunk)
    return StoredObject(name=name, size=size, sha256=digest.hexdigest())


def exists(name: str) -> bool:
    return _backend().exists(clean_name(name))


def size(name: str) -> int:
    """The object's size in bytes; ``FileNotFoundError`` when it is missing."""
    return _backend().size(clean_name(name))


def delete(name: str) -> None:
    """Remove the object; removing a missing object is not an error."""
    _backend().delete(clean_name(name))


def list_names(prefix: str = "") -> Iterator[str]:
    """Every object name starting with ``prefix`` (a plain string prefix, as on S3), in no guaranteed order."""
    if prefix:
        clean_name(prefix.removesuffix("/"))
    return _backend().list_names(prefix)


def presigned_url(name: str, expires_seconds: int, download_name: str | None = None) -> str | None:
    """A time-limited GET URL straight to the object store, or ``None`` on local disk (views serve those files).

    ``download_name`` becomes the file name the browser saves (Content-Disposition).
    """
    if not 1 <= expires_seconds <= PRESIGN_MAX_SECONDS:
        raise ValueError(f"expires_seconds must be between 1 and {PRESIGN_MAX_SECONDS}")
    return _backend().presigned_url(clean_name(name), expires_seconds, download_name)


def check() -> None:
    """Raise ``StorageUnavailable`` unless the folder is (or can be made) writable or the bucket answers; for ``/readyz``."""
    _backend().check()


def ensure_bucket() -> None:
    """Create the storage folder or S3 bucket if it does not exist yet.

    Called after ``sciport migrate``, by ``sciport restore`` (a restore may target a
    brand-new store) and by the test fixtures. An operator may still create the bucket
    with policies of their own first; then this does nothing.
    """
    _backend().ensure_bucket()


def _s3() -> _S3:
    backend = _backend()
    if not isinstance(backend, _S3):
        raise DirectUploadUnavailable("direct uploads need S3 storage; the configured storage is a local folder")
    return backend


def direct_upload_available() -> bool:
    """Whether clients may send parts straight to the object store (S3 storage)."""
    return isinstance(_backend(), _S3)


def multipart_start(name: str) -> str:
    """Begin an S3 multipart upload of ``name`` and return its upload id; ``DirectUploadUnavailable`` on local disk."""
    return _s3().multipart_start(clean_name(name))


def multipart_part_url(name: str, upload_id: str, part_number: int, expires_seconds: int) -> str:
    """A presigned URL to which a client PUTs part ``part_number`` (1 to 10,000); its ETag answer completes the upload."""
    if not 1 <= expires_seconds <= PRESIGN_MAX_SECONDS:
        raise ValueError(f"expires_seconds must be between 1 and {PRESIGN_MAX_SECONDS}")
    return _s3().multipart_part_url(clean_name(name), upload_id, part_number, expires_seconds)


def multipart_complete(name: str, upload_id: str, parts: Sequence[tuple[int, str]]) -> None:
    """Assemble the object from ``(part number, ETag)`` pairs in order; ``MultipartRejected`` when the store refuses."""
    _s3().multipart_complete(clean_name(name), upload_id, parts)


def multipart_abort(name: str, upload_id: str) -> None:
    """Drop a multipart upload and the parts sent so far; aborting one that is gone is not an error."""
    _s3().multipart_abort(clean_name(name), upload_id)
