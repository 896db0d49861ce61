"""BagIt 1.0 (RFC 8493) bags of a dataset version, streamed as a ZIP with the bag as its one top folder.

Payload checksums come from the file rows (computed when the content arrived), so a
bag of any size is written in one pass over storage. The tag files are small and made
in memory; ``tagmanifest-sha256.txt`` covers them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sciport.datasets.files import zipstream

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


@dataclass(frozen=True)
class PayloadFile:
    """A payload file: its path under ``data/``, its SHA-256, and how to stream it."""

    entry: zipstream.Entry
    path: str
    sha256: str


def manifest_path(path: str) -> str:
    """RFC 8493 §2.1.3: percent-encode CR, LF and ``%`` in manifest paths (``%`` first)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _tag_value(value: str) -> str:
    # A value runs to the end of its line; line breaks inside would start a new tag.
    return " ".join(value.split())


def bag_info(info: dict[str, str], *, octets: int, file_count: int, bagging_date: date) -> bytes:
    lines = [f"{label}: {_tag_value(value)}" for label, value in info.items() if value.strip()]
    lines += [f"Bagging-Date: {bagging_date.isoformat()}", f"Payload-Oxum: {octets}.{file_count}"]
    return ("\n".join(lines) + "\n").encode()


def stream(
    bag_name: str,
    payload: Iterable[PayloadFile],
    *,
    info: dict[str, str],
    octets: int,
    file_count: int,
    created: datetime,
) -> Iterator[bytes]:
    """The ZIP of a bag named ``bag_name``; ``octets`` and ``file_count`` are the payload's totals (Payload-Oxum).

    Payload lines of the manifest are collected while the payload streams, and the
    tag files follow it, so the file list is read once.
    """
    manifest_lines: list[str] = []

    def payload_entries() -> Iterator[zipstream.Entry]:
        for item in payload:
            manifest_lines.append(f"{item.sha256}  data/{manifest_path(item.path)}\n")
            yield zipstream.Entry(
                name=f"{bag_name}/data/{item.path}", size=item.entry.size, chunks=item.entry.chunks, modified=item.entry.modified
            )

    def tag_entries() -> Iterator[zipstream.Entry]:
        tags = {
            "bagit.txt": BAGIT_TXT,
            "bag-info.txt": bag_info(info, octets=octets, file_count=file_count, bagging_date=created.date()),
            "manifest-sha256.txt": "".join(manifest_lines).encode(),
        }
        tagmanifest = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in tags.items())
        tags["tagmanifest-sha256.txt"] = tagmanifest.encode()
        for name, data in tags.items():
            yield zipstream.in_memory(f"{bag_name}/{name}", data, created)

    def everything() -> Iterator[zipstream.Entry]:
        yield from payload_entries()
        yield from tag_entries()

    return zipstream.stream(everything())
