"""Unpacking uploaded ZIPs: everything or nothing; bombs, traversal, links and damaged archives are refused."""

import hashlib
import io
import os
import stat
import zipfile

import pytest

from sciport.core import storage
from sciport.core.errors import Conflict, ValidationFailed
from sciport.datasets.files import unpack
from sciport.datasets.services import files
from sciport.datasets.tests.files_helpers import (
    in_english,  # noqa: F401 - a fixture, used through pytestmark
    make_zip,
    zip_with,
)
from sciport.uploads.errors import TooLarge

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def stored(data: bytes, name: str = "uploads/test-archive") -> files.StoredContent:
    storage.write(name, [data])
    return files.StoredContent(
        name, len(data), hashlib.sha256(data).hexdigest(), hashlib.md5(data, usedforsecurity=False).hexdigest()
    )


def unpack_into(version, data: bytes, path: str = "bundle.zip", **kwargs):
    return files.version_unpack_stored(actor=version.created_by, version=version, path=path, content=stored(data), **kwargs)


def blobs_of(version) -> list[str]:
    return list(storage.list_names(f"datasets/{version.dataset.public_id}/"))


def assert_nothing_added(version):
    version.refresh_from_db()
    assert (version.file_count, version.files.count(), version.folders.count()) == (0, 0, 0)
    assert blobs_of(version) == []


def test_a_zip_unpacks_into_the_folder_of_its_path(make_draft, any_storage, django_capture_on_commit_callbacks):
    version = make_draft(files={})
    big = os.urandom(10_000_000)  # beyond the in-memory size: read twice (hash, then write)
    archive = make_zip({"a.csv": b"x,y\n1,2\n", "sub/b.json": b"{}", "sub/deeper/c.bin": big, "empty/": b""})
    with django_capture_on_commit_callbacks(execute=True):
        added = unpack_into(version, archive, path="raw/bundle.zip")
    assert sorted(f.path for f in added.files) == ["raw/a.csv", "raw/sub/b.json", "raw/sub/deeper/c.bin"]
    assert sorted(f.path for f in version.folders.all()) == ["raw", "raw/empty", "raw/sub", "raw/sub/deeper"]
    c = version.files.get(name="c.bin")
    assert c.sha256 == hashlib.sha256(big).hexdigest()
    assert b"".join(storage.open_chunks(c.blob_name)) == big
    assert not storage.exists("uploads/test-archive")  # not kept: the archive's own bytes are gone


def test_names_written_without_the_utf8_flag_are_read_as_utf8_or_gbk(make_draft, any_storage):
    version = make_draft(files={})
    # Windows tools write GBK names and no flag: made here by swapping an ASCII name of the same length.
    gbk, utf8 = "数据/观测.csv".encode("gb18030"), "日本/ü.txt".encode()
    archive = make_zip({"G" * len(gbk): b"1", "U" * len(utf8): b"2"})
    archive = archive.replace(b"G" * len(gbk), gbk).replace(b"U" * len(utf8), utf8)
    with zipfile.ZipFile(io.BytesIO(archive)) as check:
        assert not any(info.flag_bits & 0x800 for info in check.infolist())
    unpack_into(version, archive)
    assert sorted(f.path for f in version.files.all()) == ["数据/观测.csv", "日本/ü.txt"]


@pytest.mark.parametrize(
    "evil",
    ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "C:/boot.ini", "dir\\file.txt", "a/\u202etxt.exe"],
)
def test_path_traversal_in_any_entry_refuses_the_whole_archive(make_draft, any_storage, evil):
    version = make_draft(files={})
    archive = make_zip({"good/first.csv": b"fine", evil: b"evil", "good/last.csv": b"fine too"})
    with pytest.raises(ValidationFailed, match="entry"):
        unpack_into(version, archive)
    assert_nothing_added(version)


def test_a_symbolic_link_refuses_the_archive(make_draft, any_storage):
    version = make_draft(files={})
    link = zipfile.ZipInfo("link-to-etc")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = zip_with([(zipfile.ZipInfo("ok.txt"), b"ok"), (link, b"/etc")])
    with pytest.raises(ValidationFailed, match="symbolic link"):
        unpack_into(version, archive)
    assert_nothing_added(version)


def test_a_zip_bomb_is_refused_before_anything_is_written(make_draft, any_storage):
    version = make_draft(files={})
    bomb = make_zip({"zeros.bin": b"\0" * (50 * 1024 * 1024)})  # 50 MB of zeros in about 50 KB
    assert len(bomb) < 100_000
    with pytest.raises(ValidationFailed, match="ZIP bomb"):
        unpack_into(version, bomb)
    assert_nothing_added(version)


def test_many_small_highly_compressible_entries_are_a_bomb_too(make_draft, any_storage):
    version = make_draft(files={})
    bomb = make_zip({f"z{number}.bin": b"\0" * 900_000 for number in range(20)})  # each under the per-entry floor
    with pytest.raises(ValidationFailed, match="ZIP bomb"):
        unpack_into(version, bomb)
    assert_nothing_added(version)


def test_more_entries_than_the_version_may_hold_is_a_413(make_draft, any_storage, settings):
    settings.DATASET_MAX_FILES = 5
    version = make_draft(files={"existing.csv": b"1"})
    with pytest.raises(TooLarge, match="can take 4 more"):
        unpack_into(version, make_zip({f"f{number}.txt": str(number).encode() for number in range(5)}))
    assert version.files.count() == 1


def test_the_end_record_is_checked_before_the_entry_list_is_read(make_draft, any_storage, settings):
    settings.DATASET_MAX_FILES = 3
    version = make_draft(files={})
    archive = make_zip({f"f{number}.txt": b"" for number in range(7)})
    with pytest.raises(TooLarge):
        unpack_into(version, archive)
    assert unpack.declared_entries("uploads/test-archive", len(archive)) == 7


def test_a_lying_header_is_caught_and_what_was_written_is_removed(make_draft, any_storage):
    version = make_draft(files={})
    archive = bytearray(
        make_zip({"first.txt": b"first content", "second.txt": b"second content"}, compression=zipfile.ZIP_STORED)
    )
    archive[archive.index(b"second content")] ^= 0xFF  # damaged after the first entry was written
    with pytest.raises(ValidationFailed, match="damaged"):
        unpack_into(version, bytes(archive))
    assert_nothing_added(version)


def test_entries_that_clash_with_the_version_add_nothing(make_draft, any_storage):
    version = make_draft(files={"raw/a.csv": b"there"})
    with pytest.raises(Conflict):
        unpack_into(version, make_zip({"b.csv": b"new", "a.csv": b"clash"}), path="raw/x.zip")
    assert [f.path for f in version.files.all()] == ["raw/a.csv"]
    assert len(blobs_of(version)) == 1


def test_not_a_zip_is_refused(make_draft, any_storage):
    version = make_draft(files={})
    with pytest.raises(ValidationFailed, match="not a ZIP"):
        unpack_into(version, b"just text, not an archive")
    assert_nothing_added(version)


def test_macos_resource_forks_are_skipped(make_draft, any_storage):
    version = make_draft(files={})
    unpack_into(version, make_zip({"data.csv": b"1", "__MACOSX/._data.csv": b"junk", "sub/.DS_Store": b"junk"}))
    assert [f.path for f in version.files.all()] == ["data.csv"]
