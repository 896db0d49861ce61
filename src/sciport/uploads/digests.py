"""SHA-256 and MD5 of an upload's content so far, kept between PATCH requests.

Each finished PATCH leaves the hash state of the bytes received so far in a small
per-process cache keyed by (upload, offset), so the next chunk continues it and the
whole file is never read again. A miss (another worker process, a restart, a chunk
that failed) costs one read of the staged prefix.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

_CACHE_ENTRIES = 256  # a few hundred bytes each; enough for every upload in flight on one process


class ContentDigests:
    """The whole-content hashes a finished upload is known by."""

    __slots__ = ("md5", "sha256")

    def __init__(self, sha256: Any = None, md5: Any = None) -> None:
        self.sha256 = sha256 or hashlib.sha256()
        self.md5 = md5 or hashlib.md5()  # noqa: S324 - a content checksum (DataCite, S3 clients), not security

    def copy(self) -> ContentDigests:
        return ContentDigests(self.sha256.copy(), self.md5.copy())

    def hashes(self) -> list[Any]:
        return [self.sha256, self.md5]


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
