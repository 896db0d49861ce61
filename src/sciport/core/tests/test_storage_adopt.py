"""core.storage.adopt: a finished local file becomes a stored object without a second local copy."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pytest

from sciport.core import storage
from sciport.testing.s3 import StorageUnderTest

MIB = 1024 * 1024
OTHER_FILE_SYSTEM = Path("/dev/shm")  # noqa: S108 - tmpfs on Linux, never the file system of tmp_path; mkdtemp below


def finished_file(folder: Path, size: int) -> tuple[Path, bytes]:
    content = os.urandom(size)
    path = folder / "upl_finished.part"
    path.write_bytes(content)
    return path, content


def test_an_adopted_file_is_stored_and_gone_from_where_it_was(any_storage: StorageUnderTest, tmp_path: Path) -> None:
    path, content = finished_file(tmp_path, 9 * MIB + 3)  # more than one S3 part

    stored = storage.adopt("uploads/upl_finished", path)

    assert stored == storage.StoredObject("uploads/upl_finished", len(content), hashlib.sha256(content).hexdigest())
    assert b"".join(storage.open_chunks("uploads/upl_finished")) == content
    assert not path.exists()


def test_on_the_same_disk_adopting_is_a_rename(local_storage: StorageUnderTest, tmp_path: Path) -> None:
    path, _content = finished_file(tmp_path, MIB)
    inode = path.stat().st_ino

    storage.adopt("uploads/upl_finished", path, sha256="given by the caller, who hashed the bytes as they came")

    assert (Path(local_storage.location) / "uploads" / "upl_finished").stat().st_ino == inode


@pytest.mark.skipif(not OTHER_FILE_SYSTEM.is_dir(), reason="no /dev/shm to stand for another file system")
def test_from_another_file_system_the_file_is_copied_once_then_removed(local_storage: StorageUnderTest) -> None:
    folder = Path(tempfile.mkdtemp(dir=OTHER_FILE_SYSTEM))
    try:
        path, content = finished_file(folder, 2 * MIB)

        stored = storage.adopt("uploads/upl_finished", path)

        assert stored.sha256 == hashlib.sha256(content).hexdigest()
        assert (Path(local_storage.location) / "uploads" / "upl_finished").read_bytes() == content
        assert not path.exists()
        assert list((Path(local_storage.location) / ".partial").iterdir()) == []
    finally:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()
