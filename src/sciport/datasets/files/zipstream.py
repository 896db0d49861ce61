"""A ZIP archive written while it is sent: no temporary file, memory bounded by one chunk.

The standard library's ``zipfile`` writes to a stream that cannot seek by putting each
entry's CRC and sizes in a data descriptor after its bytes; the central directory comes
at the end. Entries are stored, not deflated: research data is mostly compressed
already, and storing keeps the download as fast as the disk. ZIP64 records are used
where sizes or the entry count need them, so archives beyond 4 GiB or 65,535 files open
in every current unzip tool.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

_FLUSH_BYTES = 256 * 1024
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Entry:
    """One file of the archive: its name inside it, its size, and how to read its bytes when its turn comes."""

    name: str
    size: int
    chunks: Callable[[], Iterable[bytes]]
    modified: datetime | None = None


def in_memory(name: str, data: bytes, modified: datetime | None = None) -> Entry:
    return Entry(name=name, size=len(data), chunks=lambda: [data], modified=modified)


class _Sink(io.RawIOBase):
    """Where ``zipfile`` writes: a buffer the generator empties, which knows its position but cannot seek."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = bytearray()
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.buffer += data
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def take(self) -> bytes:
        taken = bytes(self.buffer)
        self.buffer.clear()
        return taken


def _date_time(moment: datetime | None) -> tuple[int, int, int, int, int, int]:
    if moment is None or moment.year < 1980:
        return _ZIP_EPOCH
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _close(chunks: Iterable[bytes]) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


def stream(entries: Iterable[Entry]) -> Iterator[bytes]:
    """Yield the archive of ``entries`` in pieces of about 256 KiB (or one chunk of an entry, when larger)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=_date_time(entry.modified))
            info.file_size = entry.size  # known ahead, so zipfile picks ZIP64 for large entries
            info.external_attr = 0o644 << 16
            chunks = entry.chunks()
            try:
                with archive.open(info, "w") as target:
                    for chunk in chunks:
                        target.write(chunk)
                        if len(sink.buffer) >= _FLUSH_BYTES:
                            yield sink.take()
            finally:
                _close(chunks)  # a download stopped half-way frees the storage connection now
            if len(sink.buffer) >= _FLUSH_BYTES:
                yield sink.take()
    yield sink.take()
