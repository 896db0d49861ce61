"""SHA-256 and MD5 of an upload's content so far, kept between PATCH requests.

Each finished PATCH leaves the hash state of the bytes received so far in a small
per-process cache keyed by (upload, offset), so the next chunk continues it and the
whole file is never read again. A miss (another worker process, a restart, a chunk
that failed) costs one read of the staged prefix.
"""

from __future__ import annotations

import contextlib
import hashlib
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

_CACHE_ENTRIES = 256  # a few hundred bytes each; enough for every upload in flight on one process
_QUEUED_PIECES = 8  # per hashing thread: bounds the memory a request holds to a few pieces


class ContentDigests:
    """The whole-content hashes a finished upload is known by."""

    __slots__ = ("md5", "sha256")

    def __init__(self, sha256: Any = None, md5: Any = None) -> None:
        self.sha256 = sha256 or hashlib.sha256()
        self.md5 = md5 or hashlib.md5()  # noqa: S324 - a content checksum (DataCite, S3 clients), not security

    def copy(self) -> ContentDigests:
        return ContentDigests(self.sha256.copy(), self.md5.copy())

    def feeds(self, chunk_hash: Any = None) -> list[list[Any]]:
        """These hashes and a chunk's checksum, in two groups of about equal cost (MD5 alone is as slow as the others together)."""
        return [[self.md5], [self.sha256, *([chunk_hash] if chunk_hash is not None else [])]]


_cache: OrderedDict[tuple[int, int], ContentDigests] = OrderedDict()
_lock = threading.Lock()


def recall(upload_key: int, offset: int) -> ContentDigests | None:
    """A private copy of the state at ``offset``, when this process has it."""
    with _lock:
        digests = _cache.get((upload_key, offset))
        return digests.copy() if digests else None


def remember(upload_key: int, offset: int, digests: ContentDigests) -> None:
    """Keep the state at ``offset``; older states of the same upload are dropped."""
    with _lock:
        for key in [key for key in _cache if key[0] == upload_key]:
            del _cache[key]
        _cache[(upload_key, offset)] = digests.copy()
        while len(_cache) > _CACHE_ENTRIES:
            _cache.popitem(last=False)


def forget(upload_key: int) -> None:
    with _lock:
        for key in [key for key in _cache if key[0] == upload_key]:
            del _cache[key]


@contextlib.contextmanager
def hashing(groups: list[list[Any]]) -> Iterator[Callable[[bytes], None]]:
    """A ``feed(piece)`` that hashes pieces in order, one thread per group of hashes; all done when the block ends.

    hashlib lets go of the GIL on large pieces, so the groups run on other cores while the
    request thread goes on reading and writing.
    """
    pending: list[queue.Queue[bytes | None]] = [queue.Queue(maxsize=_QUEUED_PIECES) for _group in groups]

    def work(pieces: queue.Queue[bytes | None], hashes: list[Any]) -> None:
        while (piece := pieces.get()) is not None:
            for digest in hashes:
                digest.update(piece)

    workers = [threading.Thread(target=work, args=pair, daemon=True) for pair in zip(pending, groups, strict=True)]
    for worker in workers:
        worker.start()

    def feed(piece: bytes) -> None:
        for pieces in pending:
            pieces.put(piece)

    try:
        yield feed
    finally:
        for pieces in pending:
            pieces.put(None)
        for worker in workers:
            worker.join()
