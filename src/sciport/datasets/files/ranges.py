"""HTTP ``Range`` requests (RFC 9110 §14) for file downloads: one byte range, or the whole file.

Only single ranges are served. A multi-range request is answered with the whole file
(200), which RFC 9110 allows a server to do; so is a header we cannot read, or one
whose unit is not ``bytes``. A range that starts at or past the end is unsatisfiable (416).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SINGLE = re.compile(r"^bytes=(\d{0,19})-(\d{0,19})$")


@dataclass(frozen=True)
class ByteRange:
    """``length`` bytes from ``start`` of a file of ``size`` bytes."""

    start: int
    length: int
    size: int

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.start + self.length - 1}/{self.size}"


class Unsatisfiable(Exception):
    """The range lies outside the file: answer 416 with ``Content-Range: bytes */size``."""


def parse(header: str | None, size: int) -> ByteRange | None:
    """The range ``header`` asks for in a file of ``size`` bytes; ``None`` for the whole file."""
    if not header:
        return None
    match = _SINGLE.match(header.replace(" ", ""))
    if match is None:
        return None  # multiple ranges, another unit or garbage: send everything
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        start = max(0, size - suffix)
        return ByteRange(start, size - start, size)
    start = int(first)
    if start >= size:
        raise Unsatisfiable
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None  # an invalid range-spec: ignore the header
    return ByteRange(start, end - start + 1, size)
