"""Downloads: one file with Range and ETag, a streaming ZIP with its manifest, a BagIt bag; none once withdrawn."""

import hashlib
import io
import zipfile

import bagit
import pytest
from django.test import Client

from sciport.datasets.services import lifecycle
from sciport.datasets.tests.files_helpers import in_english  # noqa: F401 - a fixture, used through pytestmark

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

CONTENT = bytes(range(256)) * 4096  # 1 MiB
FILES = {
    "data/readings.csv": b"station,pm25\nA,12\n",
    "data/观测 2025.bin": CONTENT,
    "docs/README.md": b"# Air quality\n",
    "top.txt": b"at the top",
}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def published(any_storage, make_draft, publish):
    return publish(make_draft(files=FILES))


def content_url(version, path):
    folder, _slash, name = path.rpartition("/")
    return f"/api/v1/files/{version.files.get(folder=folder, name=name).public_id}/content"


def test_a_file_downloads_with_its_checksum_as_etag_and_its_name(published):
    response = Client().get(content_url(published, "data/观测 2025.bin"))
    assert response.status_code == 200
    assert body(response) == CONTENT
    assert response["Content-Length"] == str(len(CONTENT))
    assert response["ETag"] == f'"{hashlib.sha256(CONTENT).hexdigest()}"'
    assert response["Accept-Ranges"] == "bytes"
    assert "filename*=utf-8''%E8%A7%82%E6%B5%8B%202025.bin" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")


def test_head_gives_the_headers_without_content(published):
    head = Client().head(content_url(published, "data/观测 2025.bin"))
    assert head.status_code == 200
    assert head["Content-Length"] == str(len(CONTENT))
    assert head["Accept-Ranges"] == "bytes"
    assert body(head) == b""


def test_a_range_gives_206_and_only_those_bytes(published):
    url = content_url(published, "data/观测 2025.bin")
    partial = Client().get(url, headers={"Range": "bytes=1000-1999"})
    assert partial.status_code == 206
    assert body(partial) == CONTENT[1000:2000]
    assert partial["Content-Range"] == f"bytes 1000-1999/{len(CONTENT)}"
    assert partial["Content-Length"] == "1000"
    suffix = Client().get(url, headers={"Range": "bytes=-10"})
    assert (suffix.status_code, body(suffix)) == (206, CONTENT[-10:])
    open_ended = Client().get(url, headers={"Range": "bytes=1048570-"})
    assert (open_ended.status_code, body(open_ended)) == (206, CONTENT[1048570:])


def test_a_range_past_the_end_is_416_and_other_ranges_give_the_whole_file(published):
    url = content_url(published, "top.txt")
    refused = Client().get(url, headers={"Range": "bytes=100-200"})
    assert refused.status_code == 416
    assert refused["Content-Range"] == "bytes */10"
    assert refused["Content-Type"] == "application/problem+json"
    for header in ("bytes=0-1,4-5", "lines=1-2", "bytes=5-2", "nonsense"):
        whole = Client().get(url, headers={"Range": header})
        assert (whole.status_code, body(whole)) == (200, b"at the top"), header


def test_if_none_match_gives_304_and_if_range_with_another_etag_gives_everything(published):
    url = content_url(published, "top.txt")
    first = Client().get(url)
    etag = first["ETag"]
    assert body(first) == b"at the top"
    cached = Client().get(url, headers={"If-None-Match": etag})
    assert (cached.status_code, cached.content, cached["ETag"]) == (304, b"", etag)
    assert Client().get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    changed = Client().get(url, headers={"Range": "bytes=0-1", "If-Range": '"old"'})
    assert (changed.status_code, body(changed)) == (200, b"at the top")
    same = Client().get(url, headers={"Range": "bytes=0-1", "If-Range": etag})
    assert (same.status_code, body(same)) == (206, b"at")


def test_only_safe_types_are_shown_inline(published):
    text = Client().get(content_url(published, "top.txt") + "?inline=true")
    assert text["Content-Disposition"].startswith("inline")
    assert body(text) == b"at the top"
    markdown = Client().get(content_url(published, "docs/README.md") + "?inline=true")
    assert markdown["Content-Disposition"].startswith("attachment")
    assert body(markdown) == FILES["docs/README.md"]


def test_a_draft_is_downloadable_by_its_depositor_only(any_storage, make_draft, bank, api_for, make_user):
    draft = make_draft(files={"secret.csv": b"not yet"})
    url = content_url(draft, "secret.csv").removeprefix("/api/v1")
    assert body(api_for(bank.depositor).get(url)) == b"not yet"
    assert api_for(make_user()).get(url).status_code == 404
    assert Client().get("/api/v1" + url).status_code == 404


def test_a_withdrawn_version_serves_no_file_and_says_why(published, bank, api_for, django_capture_on_commit_callbacks):
    url = content_url(published, "top.txt")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.version_transition(actor=bank.curator, version=published, event="withdraw", message="Consent was withdrawn.")
    for path in (url, f"/api/v1/versions/{published.public_id}/archive.zip", f"/api/v1/versions/{published.public_id}/bag.zip"):
        gone = Client().get(path)
        assert gone.status_code == 410, path
        assert "Consent was withdrawn." in gone.json()["detail"]
    assert api_for(bank.depositor).get(url.removeprefix("/api/v1")).status_code == 410
    listing = Client().get(f"/api/v1/versions/{published.public_id}/files")  # the tombstone still lists what was there
    assert listing.status_code == 200


def test_the_whole_version_streams_as_a_zip_with_a_checksum_manifest(published):
    response = Client().get(f"/api/v1/versions/{published.public_id}/archive.zip")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    top = f"{published.dataset.public_id}-v1"
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert sorted(names) == sorted([f"{top}/{path}" for path in FILES] + ["manifest-sha256.txt"])
        for path, data in FILES.items():
            assert archive.read(f"{top}/{path}") == data
        manifest = archive.read("manifest-sha256.txt").decode()
    expected = {f"{top}/{path}": hashlib.sha256(data).hexdigest() for path, data in FILES.items()}
    assert {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in manifest.splitlines()} == expected


def test_a_selection_of_files_and_folders_streams_as_a_zip(published):
    response = Client().get(f"/api/v1/versions/{published.public_id}/archive.zip?paths=data&paths=top.txt")
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        top = f"{published.dataset.public_id}-v1"
        assert sorted(archive.namelist()) == sorted(
            [f"{top}/data/readings.csv", f"{top}/data/观测 2025.bin", f"{top}/top.txt", "manifest-sha256.txt"]
        )
    refused = Client().get(f"/api/v1/versions/{published.public_id}/archive.zip?paths=../etc")
    assert refused.status_code == 422


def test_the_bagit_export_validates_with_the_bagit_package(published, tmp_path):
    response = Client().get(f"/api/v1/versions/{published.public_id}/bag.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        archive.extractall(tmp_path)
    bag = bagit.Bag(str(tmp_path / f"{published.dataset.public_id}-v1"))
    bag.validate()  # manifests, tag manifest and Payload-Oxum
    assert bag.info["External-Identifier"] == published.pid
    assert bag.info["Payload-Oxum"] == f"{sum(map(len, FILES.values()))}.{len(FILES)}"
    assert (tmp_path / f"{published.dataset.public_id}-v1" / "data" / "data" / "观测 2025.bin").read_bytes() == CONTENT
