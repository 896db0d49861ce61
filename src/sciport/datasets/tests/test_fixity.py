"""Preservation fixity checks: damaged and missing content found and alerted, on disk and S3; the report's readers."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sciport.core import storage
from sciport.core.models import AuditEvent
from sciport.datasets.fixity_tasks import check_fixity, schedule_fixity_check
from sciport.datasets.models import FixityResult, FixityRun, FixityStatus
from sciport.datasets.services import lifecycle
from sciport.datasets.services.fixity import blobs_least_recently_checked, fixity_run
from sciport.datasets.tests.pages import client_for, text_of
from sciport.notifications.models import Notification

pytestmark = pytest.mark.django_db

FILES = {
    "data/readings.csv": b"station,pm25\nA,12\n",
    "data/sites.csv": b"station,lat,lon\nA,31.2,121.5\n",
    "README.txt": b"hello",
}


def _blob(version, path):
    return next(row.blob_name for row in version.files.all() if row.path == path)


@pytest.fixture
def published(make_draft, publish, any_storage):
    """A published version with three files, stored on local disk, then on S3."""
    return publish(make_draft(files=FILES))


def test_a_clean_run_reports_every_object_intact(published):
    run = fixity_run(trigger=FixityRun.Trigger.MANUAL)

    assert (run.blobs_checked, run.problems, run.bytes_checked) == (3, 0, sum(map(len, FILES.values())))
    assert set(FixityResult.objects.filter(run=run).values_list("status", flat=True)) == {FixityStatus.OK}
    assert not Notification.objects.filter(kind="dataset.fixity_problem").exists()


def test_overwritten_and_deleted_objects_are_found_and_alerted(bank, published, make_user, caplog):
    administrator = make_user(staff=True)
    version = published
    storage.write(_blob(version, "data/readings.csv"), [b"station,pm25\nA,99\n"])  # same size, other bytes
    storage.delete(_blob(version, "README.txt"))

    with caplog.at_level(logging.ERROR, logger="sciport.datasets.services.fixity"):
        run = fixity_run(trigger=FixityRun.Trigger.MANUAL)

    statuses = dict(FixityResult.objects.filter(run=run).values_list("blob_name", "status"))
    assert statuses == {
        _blob(version, "data/readings.csv"): FixityStatus.MISMATCH,
        _blob(version, "README.txt"): FixityStatus.MISSING,
        _blob(version, "data/sites.csv"): FixityStatus.OK,
    }
    assert run.problems == 2
    assert sum(record.levelno == logging.ERROR for record in caplog.records) == 2
    alerted = Notification.objects.filter(kind="dataset.fixity_problem")
    assert set(alerted.values_list("recipient", flat=True)) == {administrator.pk, bank.curator.pk, bank.manager.pk}
    body = alerted.get(recipient=bank.curator).body
    assert "data/readings.csv (v1)" in body
    assert "README.txt (v1)" in body
    assert "data/sites.csv" not in body
    events = AuditEvent.objects.filter(action="dataset.fixity_problem")
    assert {event.after["status"] for event in events} == {"mismatch", "missing"}
    assert {event.organisation for event in events} == {bank.organisation.public_id}


def test_content_removed_by_withdrawal_is_not_a_problem_but_shared_content_is_still_checked(
    bank, make_draft, publish, django_capture_on_commit_callbacks, local_storage
):
    first = publish(make_draft(files={"a.csv": b"kept", "b.csv": b"dropped in v2"}))
    second = lifecycle.version_new(actor=bank.depositor, dataset=first.dataset)
    second.files.filter(name="b.csv").delete()
    publish(second)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.version_transition(actor=bank.curator, version=first, event="withdraw", message="Consent withdrawn.")

    run = fixity_run(trigger=FixityRun.Trigger.MANUAL)

    assert (run.blobs_checked, run.problems) == (1, 0)


def test_the_command_checks_one_dataset_and_exits_non_zero_on_problems(make_draft, publish, any_storage, capsys):
    damaged = publish(make_draft(files={"x.csv": b"x"}))
    clean = make_draft(files={"y.csv": b"y"})
    storage.delete(_blob(damaged, "x.csv"))

    call_command("fixity", "--dataset", clean.dataset.public_id)
    assert "1 object(s), 1 bytes checked, 0 problem(s)" in capsys.readouterr().out

    with pytest.raises(CommandError) as refused:
        call_command("fixity")
    assert refused.value.returncode == 1
    assert f"missing: {_blob(damaged, 'x.csv')}" in capsys.readouterr().out


def test_the_daily_run_takes_the_least_recently_checked_within_its_byte_budget(make_draft, settings, local_storage):
    make_draft(files={"a.csv": b"a" * 10, "b.csv": b"b" * 10, "c.csv": b"c" * 10})
    settings.FIXITY_DAILY_BYTES = 20

    first = check_fixity.call()
    checked_first = set(FixityResult.objects.values_list("blob_name", flat=True))
    assert first == 0
    assert len(checked_first) == 2
    assert blobs_least_recently_checked()[0]["blob_name"] not in checked_first  # the unchecked one comes next

    check_fixity.call()
    assert FixityResult.objects.values("blob_name").distinct().count() == 3
    assert not schedule_fixity_check()  # each run queued the next one


@pytest.fixture
def damaged(bank, make_draft, publish, local_storage):
    version = publish(make_draft(files={"data/readings.csv": b"station,pm25\n"}))
    storage.write(_blob(version, "data/readings.csv"), [b"tampered"])
    fixity_run(trigger=FixityRun.Trigger.MANUAL)
    return version


def test_the_report_shows_problems_to_the_owners_curators_only(bank, damaged, make_bank, make_user, api_for):
    other = make_bank()
    staff = make_user(staff=True)

    problems = api_for(bank.curator).get("/fixity/problems").json()["items"]
    assert [(p["status"], p["files"][0]["path"], p["files"][0]["version_id"]) for p in problems] == [
        ("mismatch", "data/readings.csv", damaged.public_id)
    ]
    assert api_for(staff).get("/fixity/problems").json()["items"][0]["dataset_id"] == damaged.dataset.public_id
    assert api_for(other.curator).get("/fixity/problems").json()["items"] == []
    assert api_for(other.curator).get("/fixity/runs").json()["items"] == []
    assert api_for(bank.depositor).get("/fixity/problems").status_code == 403
    runs = api_for(bank.curator).get("/fixity/runs").json()["items"]
    assert [(run["objects_checked"], run["problems"]) for run in runs] == [(1, 1)]

    page = text_of(client_for(bank.curator).get("/data/fixity/"))
    assert "data/readings.csv" in page
    assert "Version 1" in page
    assert "Checksum or size differs" in page
    assert "data/readings.csv" not in text_of(client_for(other.curator).get("/data/fixity/"))
    assert client_for(bank.depositor).get("/data/fixity/").status_code == 403
    assert "校验" in text_of(client_for(bank.curator, language="zh-hans").get("/data/fixity/"))


def test_a_problem_fixed_and_checked_again_leaves_the_report(bank, damaged, api_for):
    storage.write(_blob(damaged, "data/readings.csv"), [b"station,pm25\n"])
    fixity_run(trigger=FixityRun.Trigger.MANUAL)

    assert api_for(bank.curator).get("/fixity/problems").json()["items"] == []
