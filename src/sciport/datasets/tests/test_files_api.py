"""The files API: folder pages at scale, file changes in drafts, refusals a client can act on."""

import pytest
from django.test import Client
from django.utils import translation

from sciport.datasets.models import DatasetFile, DatasetFolder, DatasetVersion
from sciport.datasets.tests.files_helpers import (
    in_english,  # noqa: F401 - a fixture, used through pytestmark
    upload_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage", "in_english")]


def many_files(version, folder: str, count: int) -> None:
    """Rows only (a listing never reads content), with their folders, as an unpacked archive leaves them."""
    parent, _slash, name = folder.rpartition("/")
    DatasetFolder.objects.bulk_create(
        [DatasetFolder(version=version, parent=parent, name=name)]
        + [DatasetFolder(version=version, parent=folder, name=f"sub-{number:02}") for number in range(30)],
        ignore_conflicts=True,
    )
    DatasetFile.objects.bulk_create(
        DatasetFile(version=version, folder=folder, name=f"f-{number:05}.csv", blob_name="x", size=1, sha256="0" * 64)
        for number in range(count)
    )


def test_a_folder_of_thousands_of_files_pages_in_order_with_few_queries(make_draft, publish, django_assert_max_num_queries):
    version = publish(make_draft(files={"readme.txt": b"top"}))
    many_files(version, "raw/2025", 3000)
    seen, cursor, pages = [], None, 0
    while True:
        query = "folder=raw/2025&limit=200" + (f"&cursor={cursor}" if cursor else "")
        with django_assert_max_num_queries(5):
            page = Client().get(f"/api/v1/versions/{version.public_id}/files?{query}").json()
        seen += [(item["type"], item["name"]) for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expected = [("folder", f"sub-{n:02}") for n in range(30)] + [("file", f"f-{n:05}.csv") for n in range(3000)]
    assert seen == expected
    assert pages == 16


def test_the_root_lists_folders_then_files(make_draft, publish):
    version = publish(make_draft(files={"b.csv": b"1", "a/x.csv": b"2", "c/y/z.csv": b"3", "A.txt": b"4"}))
    page = Client().get(f"/api/v1/versions/{version.public_id}/files").json()
    assert [(i["type"], i["path"]) for i in page["items"]] == [
        ("folder", "a"),
        ("folder", "c"),
        ("file", "A.txt"),
        ("file", "b.csv"),
    ]
    assert (page["file_count"], page["folder"]) == (4, "")
    file = page["items"][2]
    assert file["content_url"] == f"/api/v1/files/{file['id']}/content"


def test_a_missing_folder_or_a_foreign_cursor_is_refused(make_draft, publish):
    version = publish(make_draft(files={"a/x.csv": b"1"}))
    url = f"/api/v1/versions/{version.public_id}/files"
    assert Client().get(url + "?folder=nowhere").status_code == 404
    assert Client().get(url + "?folder=../etc").status_code == 422
    assert Client().get(url + "?cursor=bm90IG91cnM").status_code == 422
    assert Client().get(url + "?limit=0").status_code == 422


def test_a_depositor_moves_deletes_and_organises_files_through_the_api(make_draft, bank, api_for):
    version = make_draft(files={"raw/a.csv": b"1", "raw/b.csv": b"22"})
    api = api_for(bank.depositor)
    file_id = version.files.get(name="a.csv").public_id
    moved = api.patch(f"/files/{file_id}", json={"path": "clean/readings.csv"})
    assert moved.status_code == 200, moved.content
    assert moved.json()["path"] == "clean/readings.csv"
    assert api.post(f"/versions/{version.public_id}/folders", json={"path": "empty/inner"}).status_code == 201
    assert api.delete(f"/versions/{version.public_id}/folders?path=raw").status_code == 409
    removed = api.delete(f"/versions/{version.public_id}/folders?path=raw&recursive=true")
    assert removed.json() == {"path": "raw", "files_removed": 1}
    assert api.delete(f"/files/{file_id}").status_code == 204
    assert api.get(f"/files/{file_id}").status_code == 404
    version.refresh_from_db()
    assert (version.file_count, version.total_bytes) == (0, 0)


def test_bad_paths_are_field_errors_in_the_callers_language(make_draft, bank, api_for):
    version = make_draft(files={"raw/a.csv": b"1"})
    api = api_for(bank.depositor)
    file_id = version.files.get().public_id
    for bad in ("../../etc/passwd", "a\u0007b", "x" * 300 + ".csv", "raw\\b.csv", "/etc/x"):
        refused = api.patch(f"/files/{file_id}", json={"path": bad})
        assert refused.status_code == 422, bad
        assert refused.json()["errors"][0]["field"] == "path"
    assert api.patch(f"/files/{file_id}", json={"path": "a\u0000b"}).status_code == 400  # NUL never passes the parser
    chinese = api.patch(f"/files/{file_id}", json={"path": "../x"}, headers={"Accept-Language": "zh-hans"})
    with translation.override("zh-hans"):
        expected = translation.gettext("Paths may not contain '..'.")
    assert chinese.json()["errors"][0]["message"] == expected
    assert "路径" in expected


def test_others_cannot_see_or_change_a_drafts_files(make_draft, make_bank, api_for):
    version = make_draft(files={"raw/a.csv": b"1"})
    outsider = api_for(make_bank().curator)
    file_id = version.files.get().public_id
    assert outsider.get(f"/versions/{version.public_id}/files").status_code == 404
    assert outsider.get(f"/files/{file_id}").status_code == 404
    assert outsider.delete(f"/files/{file_id}").status_code == 404
    assert outsider.get(f"/files/{file_id}/content").status_code == 404
    assert DatasetVersion.objects.get(pk=version.pk).file_count == 1


def test_past_the_quota_an_addition_is_413_with_a_clear_message(make_draft, bank, api_for, settings):
    version = make_draft(files={"a.csv": b"12345"})
    upload = upload_bytes(bank.depositor, b"0123456789", version_id=version.public_id)
    settings.DATASET_MAX_BYTES = 12
    refused = api_for(bank.depositor).post(
        f"/versions/{version.public_id}/files",
        json={"upload_id": upload.public_id, "path": "b.bin"},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 413
    assert refused.json()["detail"] == (
        "A dataset version may hold at most 12\xa0bytes; this one holds 5\xa0bytes, and 10\xa0bytes more would pass the limit."
    )
    upload.refresh_from_db()
    assert upload.state == "complete"  # not used up: it can go to another version
