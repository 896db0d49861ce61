"""Adding, moving and deleting files and folders of drafts: paths, limits, duplicates, shared content."""

import hashlib
import re

import pytest

from sciport.core import storage
from sciport.core.errors import Conflict, NotFound, ValidationFailed
from sciport.core.models import AuditEvent
from sciport.datasets.files import paths
from sciport.datasets.models import DatasetFile, DatasetFolder
from sciport.datasets.services import files, lifecycle
from sciport.datasets.tests.files_helpers import in_english  # noqa: F401 - a fixture, used through pytestmark
from sciport.uploads.errors import TooLarge

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage", "in_english")]


def add(version, path, data=b"x", **kwargs):
    return files.version_add_bytes(actor=version.created_by, version=version, path=path, data=data, **kwargs)


# --- path rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folder", "name"),
    [
        ("data/a.csv", "data", "a.csv"),
        ("./data/./a.csv", "data", "a.csv"),
        ("e\u0301t\u00e9.txt", "", "\u00e9t\u00e9.txt"),  # NFC: the decomposed é becomes one code point
        ("观测/2025 年/站点 A.csv", "观测/2025 年", "站点 A.csv"),
        ("a" * 255, "", "a" * 255),
        ("名" * 85, "", "名" * 85),  # 255 bytes of UTF-8
    ],
)
def test_paths_are_normalised_to_one_meaning(raw, folder, name):
    assert paths.clean_path(raw) == paths.FilePath(folder, name)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("../etc/passwd", "'..'"),
        ("data/../../x", "'..'"),
        ("/etc/passwd", "starts with /"),
        ("C:/Windows/x", "drive letter"),
        ("data\\a.csv", "backslashes"),
        ("a\x00b", "control characters"),
        ("a\nb", "control characters"),
        ("invoice\u202etxt.exe", "text-direction"),
        ("a//b", "empty names"),
        ("data/", "empty names"),
        ("data/   /b", "empty names"),
        ("a" * 256, "longer than 255 bytes"),
        ("名" * 86, "longer than 255 bytes"),
        ("/".join(["folder"] * 150), "longer than 1024 bytes"),
        ("", "name"),
        (".", "name"),
    ],
)
def test_dangerous_or_empty_paths_are_refused_with_a_field_error(raw, says):
    with pytest.raises(ValidationFailed) as refused:
        paths.clean_path(raw)
    (error,) = refused.value.errors
    assert error.field == "path"
    assert says in str(error.message)


def test_a_refused_path_adds_nothing(make_draft):
    version = make_draft(files={})
    with pytest.raises(ValidationFailed):
        add(version, "../../outside.txt")
    assert not DatasetFile.objects.filter(version=version).exists()
    assert not list(storage.list_names(f"datasets/{version.dataset.public_id}/"))


# --- adding ------------------------------------------------------------------------------------


def test_adding_a_file_creates_every_folder_on_its_way(make_draft):
    version = make_draft(files={})
    added = add(version, "raw/2025/march/readings.csv", b"a,b\n1,2\n")
    (file,) = added.files
    assert (file.folder, file.name, file.size, file.media_type) == ("raw/2025/march", "readings.csv", 8, "text/csv")
    assert file.md5 == hashlib.md5(b"a,b\n1,2\n", usedforsecurity=False).hexdigest()
    assert sorted(DatasetFolder.objects.filter(version=version).values_list("parent", "name")) == [
        ("", "raw"),
        ("raw", "2025"),
        ("raw/2025", "march"),
    ]
    version.refresh_from_db()
    assert (version.file_count, version.total_bytes) == (1, 8)
    assert b"".join(storage.open_chunks(file.blob_name)) == b"a,b\n1,2\n"
    assert file.blob_name == f"datasets/{version.dataset.public_id}/{file.sha256}"


def test_a_path_that_is_taken_is_refused(make_draft):
    version = make_draft(files={"data/a.csv": b"1"})
    with pytest.raises(Conflict, match=re.escape("already a file or folder at data/a.csv")):
        add(version, "data/a.csv", b"2")
    with pytest.raises(Conflict, match="already a file or folder at data"):
        add(version, "data", b"3")  # a file where a folder is
    with pytest.raises(Conflict, match=re.escape("data/a.csv is a file")):
        add(version, "data/a.csv/inner.txt", b"4")  # a folder where a file is
    assert version.files.count() == 1


def test_same_content_twice_is_stored_once_and_reported(make_draft):
    version = make_draft(files={"a/one.csv": b"same bytes"})
    added = add(version, "b/two.csv", b"same bytes")
    assert added.duplicates == {"b/two.csv": ["a/one.csv"]}
    assert len({f.blob_name for f in version.files.all()}) == 1
    assert len(list(storage.list_names(f"datasets/{version.dataset.public_id}/"))) == 1


def test_duplicates_can_be_refused(make_draft):
    version = make_draft(files={"a/one.csv": b"same bytes"})
    with pytest.raises(Conflict, match=re.escape("a/one.csv")):
        add(version, "b/two.csv", b"same bytes", duplicates="refuse")
    assert version.files.count() == 1
    with pytest.raises(ValidationFailed):
        add(version, "b/two.csv", b"other", duplicates="sometimes")


def test_the_file_count_limit_gives_a_clear_413(make_draft, settings):
    settings.DATASET_MAX_FILES = 2
    version = make_draft(files={"a": b"1", "b": b"2"})
    with pytest.raises(TooLarge) as refused:
        add(version, "c", b"3")
    assert refused.value.status == 413
    assert "at most 2 files" in str(refused.value)
    assert version.files.count() == 2


def test_the_byte_limit_gives_a_clear_413(make_draft, settings):
    settings.DATASET_MAX_BYTES = 10
    version = make_draft(files={"a": b"12345678"})
    with pytest.raises(TooLarge, match="at most 10"):
        add(version, "b", b"123")
    version.refresh_from_db()
    assert version.total_bytes == 8


def test_only_drafts_take_file_changes(make_draft, publish, bank):
    version = publish(make_draft())
    with pytest.raises(Conflict, match="new version"):
        add(version, "late.csv")
    file = version.files.get()
    with pytest.raises(Conflict):
        files.version_delete_file(actor=bank.depositor, file=file)
    with pytest.raises(Conflict):
        files.version_move_file(actor=bank.depositor, file=file, path="moved.csv")


def test_people_outside_the_organisation_change_nothing(make_draft, make_bank):
    version = make_draft()
    other = make_bank()
    with pytest.raises(NotFound):
        files.version_add_bytes(actor=other.curator, version=version, path="x", data=b"x")
    with pytest.raises(NotFound):
        files.version_delete_file(actor=other.manager, file=version.files.get())
    assert version.files.count() == 1


def test_one_audit_event_per_addition(make_draft):
    version = make_draft(files={})
    add(version, "a.csv")
    event = AuditEvent.objects.filter(object_id=version.public_id, action="dataset.files_add").get()
    assert event.after == {"files": 1, "bytes": 1, "paths": ["a.csv"]}


# --- moving and deleting -----------------------------------------------------------------------


def test_a_file_can_be_renamed_and_moved(make_draft, bank):
    version = make_draft(files={"raw/a.csv": b"1", "raw/b.json": b"{}"})
    file = version.files.get(name="a.csv")
    moved = files.version_move_file(actor=bank.depositor, file=file, path="clean/2025/a.tsv")
    assert (moved.folder, moved.name, moved.media_type) == ("clean/2025", "a.tsv", "text/tab-separated-values")
    assert DatasetFolder.objects.filter(version=version, parent="clean", name="2025").exists()
    with pytest.raises(Conflict):
        files.version_move_file(actor=bank.depositor, file=moved, path="raw/b.json")
    with pytest.raises(ValidationFailed):
        files.version_move_file(actor=bank.depositor, file=moved, path="../a.csv")


def test_deleting_a_file_frees_its_content_unless_another_version_uses_it(
    make_draft, publish, bank, django_capture_on_commit_callbacks
):
    version = publish(make_draft(files={"keep.csv": b"kept", "shared.csv": b"shared"}))
    draft = lifecycle.version_new(actor=bank.depositor, dataset=version.dataset)
    add(draft, "new.csv", b"only in the draft")
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("shared.csv", "new.csv"):
            files.version_delete_file(actor=bank.depositor, file=draft.files.get(name=name))
    blobs = set(storage.list_names(f"datasets/{version.dataset.public_id}/"))
    assert blobs == {f.blob_name for f in version.files.all()}  # v1's content stays; the draft's own is gone
    draft.refresh_from_db()
    assert (draft.file_count, draft.total_bytes) == (1, 4)


def test_folders_are_made_and_removed(make_draft, bank, django_capture_on_commit_callbacks):
    version = make_draft(files={"data/a/1.csv": b"1", "data/a/2.csv": b"22", "Data/x.csv": b"3", "data2/y.csv": b"4"})
    assert files.folder_create(actor=bank.depositor, version=version, path="empty/inner") == "empty/inner"
    with pytest.raises(Conflict, match="is a file"):
        files.folder_create(actor=bank.depositor, version=version, path="data/a/1.csv")
    with pytest.raises(Conflict, match="not empty"):
        files.folder_delete(actor=bank.depositor, version=version, path="data")
    with django_capture_on_commit_callbacks(execute=True):
        assert files.folder_delete(actor=bank.depositor, version=version, path="data", recursive=True) == 2
    assert len(list(storage.list_names(f"datasets/{version.dataset.public_id}/"))) == 2
    # Only that folder: not "Data" (another case) nor "data2" (a longer name).
    assert sorted(f.path for f in version.files.all()) == ["Data/x.csv", "data2/y.csv"]
    assert not DatasetFolder.objects.filter(version=version, parent__in=["data", "data/a"]).exists()
    assert files.folder_delete(actor=bank.depositor, version=version, path="empty", recursive=True) == 0
    with pytest.raises(NotFound):
        files.folder_delete(actor=bank.depositor, version=version, path="empty")
    version.refresh_from_db()
    assert (version.file_count, version.total_bytes) == (2, 2)
