"""``sciport backup`` and ``sciport restore``: a round trip gives the same answers, files and audit chain."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sciport.accounts.models import Organisation, User
from sciport.core import storage
from sciport.core.models import AuditEvent
from sciport.testing.fixtures import ApiClient
from sciport.testing.s3 import StorageUnderTest

pytestmark = pytest.mark.django_db(transaction=True)

FILES = {
    "datasets/ds_1/数据.csv": "站点,温度\n徐汇,21.5\n".encode(),
    "datasets/ds_1/raw/measurement.bin": bytes(range(256)) * (3 * 4096 + 7),  # a little over 3 MB
    "orders/ord_1/report.pdf": b"%PDF-1.7 not really",
}


@pytest.fixture
def populate(
    make_user: Callable[..., User], make_organisation: Callable[..., Organisation], api_for: Callable[..., ApiClient]
) -> Callable[[], dict[str, Any]]:
    """Called once the test's storage is in place: a person with an API token, two organisations, three stored files."""

    def populate() -> dict[str, Any]:
        owner = make_user("owner@example.org")
        organisation = make_organisation(owner, name_en="Institute of Materials", name_zh="材料研究所")
        make_organisation(owner, kind="enterprise", name_en="Acme Instruments")
        client = api_for(owner)
        for name, content in FILES.items():
            storage.write(name, io.BytesIO(content))
        return {"owner": owner, "organisation": organisation, "client": client}

    return populate


def api_answers(client: ApiClient, organisation: Organisation) -> dict[str, Any]:
    answers = {}
    for path in (
        "/me",
        f"/organisations/{organisation.public_id}",
        f"/organisations/{organisation.public_id}/members",
        f"/organisations/{organisation.public_id}/audit",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.content)
        answers[path] = response.json()
    answers["/tokens"] = [
        {key: value for key, value in token.items() if key != "last_used_at"} for token in client.get("/tokens").json()
    ]
    return answers


def start_afresh(any_storage: StorageUnderTest) -> None:
    """An empty, migrated database and a new, empty storage location: what a restore expects."""
    call_command("flush", interactive=False, verbosity=0)
    any_storage.fresh()


def test_restore_gives_back_the_same_answers_files_and_audit_chain(
    any_storage: StorageUnderTest, populate: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    # Given a platform with data, files and a token issued before the backup
    populated = populate()
    client, organisation = populated["client"], populated["organisation"]
    answers_before = api_answers(client, organisation)
    checksums_before = {name: storage.checksum(name) for name in FILES}
    audit_events_before = AuditEvent.objects.count()
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())

    # When everything is lost and the backup is restored
    start_afresh(any_storage)
    assert User.objects.count() == 0
    assert list(storage.list_names()) == []
    output = io.StringIO()
    call_command("restore", str(tmp_path / "backup"), stdout=output)

    # Then the API answers the same, the old token still works, and every file is intact
    assert "restored from" in output.getvalue()
    assert api_answers(client, organisation) == answers_before
    assert {name: storage.checksum(name) for name in FILES} == checksums_before
    assert b"".join(storage.open_chunks("datasets/ds_1/数据.csv")) == FILES["datasets/ds_1/数据.csv"]
    audit_output = io.StringIO()
    call_command("check_audit", stdout=audit_output)
    assert f"audit chain intact: {audit_events_before + 1} events" in audit_output.getvalue()
    assert AuditEvent.objects.order_by("-sequence").first().action == "backup.restored"  # type: ignore[union-attr]

    # And new rows get fresh ids (PostgreSQL sequences were moved past the restored ones)
    created = client.post("/organisations", json={"kind": "provider", "name_en": "After the restore"})
    assert created.status_code == 201, created.content
    assert Organisation.objects.count() == 3


def test_manifest_lists_every_file_and_the_dump_with_checksums(
    local_storage: StorageUnderTest, populate: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    populate()
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())

    assert {entry["name"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]} == {
        name: (checksum.size, checksum.sha256) for name, checksum in ((name, storage.checksum(name)) for name in FILES)
    }
    assert manifest["database"]["rows"] > 0
    assert len(manifest["database"]["sha256"]) == 64
    assert not any(
        '"model": "sessions.session"' in line or '"model": "contenttypes.' in line
        for line in (tmp_path / "backup" / "database.jsonl").read_text().splitlines()
    )


@pytest.mark.parametrize("damaged", ["files/datasets/ds_1/raw/measurement.bin", "database.jsonl"])
def test_a_tampered_backup_is_refused_before_anything_changes(
    any_storage: StorageUnderTest, populate: Callable[[], dict[str, Any]], tmp_path: Path, damaged: str
) -> None:
    populate()
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    target = tmp_path / "backup" / damaged
    content = bytearray(target.read_bytes())
    content[len(content) // 2] ^= 0x01
    target.write_bytes(bytes(content))
    start_afresh(any_storage)

    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(tmp_path / "backup"))

    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert list(storage.list_names()) == []


def test_a_missing_backup_file_is_refused(
    local_storage: StorageUnderTest, populate: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    populate()
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    (tmp_path / "backup" / "files" / "orders" / "ord_1" / "report.pdf").unlink()
    start_afresh(local_storage)

    with pytest.raises(CommandError, match="missing"):
        call_command("restore", str(tmp_path / "backup"))

    assert User.objects.count() == 0


def test_restore_into_a_database_with_data_is_refused(
    local_storage: StorageUnderTest, populate: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    populate()
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    local_storage.fresh()

    with pytest.raises(CommandError, match="database already has data"):
        call_command("restore", str(tmp_path / "backup"))

    assert list(storage.list_names()) == []


def test_restore_into_a_storage_with_files_is_refused(
    local_storage: StorageUnderTest, populate: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    populate()
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)

    with pytest.raises(CommandError, match="storage is not empty"):
        call_command("restore", str(tmp_path / "backup"))

    assert User.objects.count() == 0


def test_backup_refuses_a_folder_that_is_not_empty(local_storage: StorageUnderTest, tmp_path: Path) -> None:
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "something").write_text("keep me")

    with pytest.raises(CommandError, match="not an empty folder"):
        call_command("backup", str(tmp_path / "backup"))

    assert (tmp_path / "backup" / "something").read_text() == "keep me"


def test_a_folder_without_manifest_is_not_a_backup(local_storage: StorageUnderTest, tmp_path: Path) -> None:
    (tmp_path / "half-written").mkdir()

    with pytest.raises(CommandError, match="not a finished sciport backup"):
        call_command("restore", str(tmp_path / "half-written"))


def test_a_manifest_naming_a_file_outside_the_backup_is_refused(
    local_storage: StorageUnderTest, populate: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    populate()
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"][0]["name"] = "../../outside"
    manifest_path.write_text(json.dumps(manifest))
    start_afresh(local_storage)

    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(tmp_path / "backup"))
