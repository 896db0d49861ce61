"""What goes into a version's ZIP download and its BagIt bag, streamed straight from storage.

The ZIP holds one folder, ``<dataset id>-v<number>/``, with the files at their paths, and
``manifest-sha256.txt`` beside it, so that ``sha256sum -c manifest-sha256.txt`` checks
the unpacked files and no file of the dataset can clash with the manifest's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from sciport.core import storage
from sciport.datasets.files import bagit, zipstream
from sciport.datasets.models import DatasetFile, DatasetVersion

MANIFEST = "manifest-sha256.txt"


def top_folder(version: DatasetVersion) -> str:
    return f"{version.dataset.public_id}-v{version.version_number}"


def _entry(file: DatasetFile, name: str) -> zipstream.Entry:
    return zipstream.Entry(
        name=name, size=file.size, chunks=lambda: storage.open_chunks(file.blob_name), modified=file.created_at
    )


def zip_stream(version: DatasetVersion, files: Iterable[DatasetFile]) -> Iterator[bytes]:
    """The ZIP of ``files`` (rows of ``version``) and their checksum manifest, written as it is sent."""
    top = top_folder(version)
    lines: list[str] = []

    def entries() -> Iterator[zipstream.Entry]:
        for file in files:
            lines.append(f"{file.sha256}  {top}/{file.path}\n")
            yield _entry(file, f"{top}/{file.path}")
        yield zipstream.in_memory(MANIFEST, "".join(lines).encode())

    return zipstream.stream(entries())


def bag_stream(version: DatasetVersion, files: Iterable[DatasetFile], *, created: datetime, site_url: str) -> Iterator[bytes]:
    """The version as a BagIt bag (payload under ``data/``), zipped as it is sent."""
    organisation = version.organisation
    info = {
        "Source-Organization": organisation.name_en or organisation.name_zh,
        "External-Identifier": version.pid,
        "External-Description": version.title_en or version.title_zh,
        "Internal-Sender-Identifier": version.public_id,
        "Bag-Software-Agent": f"sciport Science Data Bank ({site_url})",
    }
    payload = (bagit.PayloadFile(entry=_entry(file, file.path), path=file.path, sha256=file.sha256) for file in files)
    return bagit.stream(
        top_folder(version), payload, info=info, octets=version.total_bytes, file_count=version.file_count, created=created
    )
