"""Partial tus uploads on local disk: one file per upload under ``settings.UPLOAD_DIR``.

The database offset is the truth. A writer takes an exclusive, non-blocking ``flock``
on the upload, cuts the file back to the database offset (a server killed mid-chunk leaves
bytes past it) and appends the next chunk, reading the request in bounded pieces, so
neither a chunk nor the file is ever held in memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings

from sciport.uploads.errors import UploadLocked

READ_SIZE = 1024 * 1024
WRITE_BEHIND = 32 * 1024 * 1024
_advise = getattr(os, "posix_fadvise", None)  # Linux; elsewhere the page cache is left to the kernel


def path(public_id: str) -> Path:
    return Path(settings.UPLOAD_DIR) / f"{public_id}.part"


def _lock_path(public_id: str) -> Path:
    return Path(settings.UPLOAD_DIR) / f"{public_id}.lock"


def create(public_id: str) -> None:
    Path(settings.UPLOAD_DIR).mkdir(parents=True, exist_ok=True)
    os.close(os.open(path(public_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def remove(public_id: str) -> None:
    """Delete the staged bytes and the lock file (call it holding the lock, once the upload left the receiving state)."""
    for leftover in (path(public_id), _lock_path(public_id)):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(leftover)


class StagedFile:
    """An open staging file that this request alone may write."""

    def __init__(self, descriptor: int, file_path: Path) -> None:
        self.descriptor = descriptor
        self.path = file_path

    def size(self) -> int:
        return os.fstat(self.descriptor).st_size

    def truncate(self, offset: int) -> None:
        os.ftruncate(self.descriptor, offset)

    def write_behind(self, start: int, end: int) -> None:
        """Start writing ``[start, end)`` to disk, and drop from the page cache what is there already.

        Staged bytes are written once and not read again: their pages would only crowd out
        others (and on a VM, reusing pages is much faster than touching new ones). The
        fsync that completes an upload then has little left to do.
        """
        if _advise is not None and end > start:
            _advise(self.descriptor, start, end - start, os.POSIX_FADV_DONTNEED)

    def hash_prefix(self, offset: int, feed: Callable[[bytes], None]) -> None:
        """Feed the first ``offset`` bytes to ``feed`` (when no cached hash state is at hand)."""
        position = 0
        while position < offset:
            piece = os.pread(self.descriptor, min(8 * READ_SIZE, offset - position), position)
            if not piece:
                raise OSError(f"staging file {self.path} ends at {position}, before {offset}")
            feed(piece)
            position += len(piece)

    def append(self, offset: int, read: Callable[[int], bytes], count: int, feed: Callable[[bytes], None]) -> int:
        """Write up to ``count`` bytes from ``read`` at ``offset``, passing each piece to ``feed``; returns how many arrived.

        Fewer than ``count`` means the client went away (a short read or a broken
        connection); what arrived is on disk.
        """
        os.lseek(self.descriptor, offset, os.SEEK_SET)
        received = 0
        marks = (offset, offset)  # the last two write-behind points: the range between them is on its way to disk
        while received < count:
            try:
                piece = read(min(READ_SIZE, count - received))
            except OSError:  # Django's UnreadablePostError: the connection broke
                break
            if not piece:
                break
            with memoryview(piece) as view:
                written = 0
                while written < len(piece):
                    written += os.write(self.descriptor, view[written:])
            feed(piece)
            received += len(piece)
            if offset + received - marks[1] >= WRITE_BEHIND:
                self.write_behind(marks[0], offset + received)
                marks = (marks[1], offset + received)
        self.write_behind(marks[0], offset + received)
        return received


@contextlib.contextmanager
def locked(public_id: str) -> Iterator[None]:
    """Hold the upload's exclusive lock, or raise ``UploadLocked`` when another request (in any process) holds it.

    The lock lives on a file of its own, so the staged bytes can be moved into storage
    while it is held. Whoever holds it must read the upload's row again: a request that
    waited may find the upload complete or gone.
    """
    Path(settings.UPLOAD_DIR).mkdir(parents=True, exist_ok=True)
    descriptor = os.open(_lock_path(public_id), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadLocked() from None
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


@contextlib.contextmanager
def opened(public_id: str) -> Iterator[StagedFile]:
    """The staging file, open for reading and writing (made anew, empty, if it was lost); hold ``locked`` first."""
    file_path = path(public_id)
    descriptor = os.open(file_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        yield StagedFile(descriptor, file_path)
    finally:
        os.close(descriptor)
