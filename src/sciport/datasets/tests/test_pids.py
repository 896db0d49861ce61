"""Identifiers at the registry: DataCite DOIs through its REST API (a loopback server speaking it), CSTR minted locally.

The sync tasks run in the real worker; a registry that is down or refuses us makes the
task fail and the platform retry it, while the version stays published here.
"""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sciport.core.models import TaskAttempt
from sciport.core.tests.test_tasks import run_worker_until_idle
from sciport.datasets import metadata, pids
from sciport.datasets.models import VersionState
from sciport.datasets.pids.records import version_record
from sciport.datasets.services import lifecycle
from sciport.testing.datacite_server import FakeDataCite, running_datacite
from sciport.testing.datasets import sample_metadata

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def datacite(settings) -> Iterator[FakeDataCite]:
    settings.TASK_RETRY_BASE_SECONDS = 3600
    with running_datacite() as registry:
        settings.PID_PROVIDER = "datacite"
        settings.PID_PREFIX = registry.prefix
        settings.DATACITE_URL = registry.url
        settings.DATACITE_USER = registry.user
        settings.DATACITE_PASSWORD = registry.password
        yield registry


def landing(path_name: str, public_id: str, settings) -> str:
    return settings.SITE_URL + reverse(f"datasets:{path_name}", args=[public_id])


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def failed_attempts() -> list[TaskAttempt]:
    return list(TaskAttempt.objects.filter(task_path__endswith="sync_pid").order_by("id"))


@transactional
def test_a_draft_reserves_draft_dois_for_the_version_and_the_concept(datacite, make_draft):
    version = make_draft()
    assert version.pid == f"{datacite.prefix}/{version.public_id}"
    run_worker_until_idle()
    assert datacite.doi(version.pid).state == "draft"
    assert datacite.doi(version.dataset.concept_pid).state == "draft"
    assert datacite.doi(version.pid).attributes["titles"][0]["title"] == "长三角空气质量数据 2025"
    assert pids.provider().resolver_url(version.pid) == f"https://doi.org/{version.pid}"


@transactional
def test_publishing_makes_both_dois_findable_at_their_landing_pages(datacite, make_draft, publish, settings):
    version = make_draft()
    run_worker_until_idle()
    publish(version)
    run_worker_until_idle()
    registered = datacite.doi(version.pid)
    assert registered.state == "findable"
    assert registered.attributes["url"] == landing("version", version.public_id, settings)
    assert registered.attributes["version"] == "1"
    concept = datacite.doi(version.dataset.concept_pid)
    assert concept.state == "findable"
    assert concept.attributes["url"] == landing("concept", version.dataset.public_id, settings)


@transactional
def test_correcting_a_published_versions_metadata_updates_its_doi(datacite, make_draft, publish, bank):
    version = publish(make_draft())
    run_worker_until_idle()
    lifecycle.version_update(actor=bank.curator, version=version, metadata=sample_metadata(title_en="Corrected title"))
    run_worker_until_idle()
    titles = [title["title"] for title in datacite.doi(version.pid).attributes["titles"]]
    assert "Corrected title" in titles
    assert datacite.doi(version.pid).state == "findable"
    assert len(datacite.doi(version.pid).updated) == 3  # reserved, published, corrected


@transactional
def test_the_concept_doi_points_at_the_newest_version_after_v2_publishes(datacite, make_draft, publish, bank):
    v1 = publish(make_draft())
    v2 = lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset)
    lifecycle.version_update(actor=bank.depositor, version=v2, metadata=sample_metadata(title_en="Second edition"))
    publish(v2)
    run_worker_until_idle()
    assert datacite.doi(v2.pid).state == "findable"
    concept = datacite.doi(v1.dataset.concept_pid).attributes
    assert "Second edition" in [title["title"] for title in concept["titles"]]
    versions = {(r["relationType"], r["relatedIdentifier"]) for r in concept["relatedIdentifiers"]}
    assert versions == {("HasVersion", v1.pid), ("HasVersion", v2.pid)}
    newest = {(r["relationType"], r["relatedIdentifier"]) for r in datacite.doi(v2.pid).attributes["relatedIdentifiers"]}
    assert ("IsNewVersionOf", v1.pid) in newest
    followed = Client().get(urlparse(concept["url"]).path)
    assert followed.status_code == 302
    assert followed["Location"].endswith(f"/data/versions/{v2.public_id}/")


@transactional
def test_when_datacite_is_down_the_task_fails_and_is_retried_while_the_version_stays_published(
    datacite, make_draft, publish, settings
):
    version = make_draft()
    run_worker_until_idle()
    settings.DATACITE_URL = f"http://127.0.0.1:{unused_port()}"
    publish(version)
    call_command("worker", "--batch")

    attempt = failed_attempts()[-1]
    assert "DataCite cannot be reached" in attempt.error
    assert attempt.retry_task_id
    version.refresh_from_db()
    assert version.state == VersionState.PUBLISHED
    assert Client().get(f"/data/versions/{version.public_id}/").status_code == 200
    assert datacite.doi(version.pid).state == "draft"
    assert version.pid_status == "reserved"

    settings.DATACITE_URL = datacite.url  # DataCite is back; the back-off has passed
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_worker_until_idle()
    assert datacite.doi(version.pid).state == "findable"
    version.refresh_from_db()
    assert version.pid_status == "registered"
    assert DBTaskResult.objects.get(id=attempt.retry_task_id).status == TaskResultStatus.SUCCESSFUL


@transactional
def test_wrong_credentials_fail_the_task_with_a_clear_message(datacite, make_draft, settings):
    settings.DATACITE_PASSWORD = "not-the-password"
    version = make_draft()
    call_command("worker", "--batch")
    error = failed_attempts()[-1].error
    assert f"DataCite refused repository 'SCIPORT.TEST' for {version.pid} (401 Bad credentials.)" in error
    assert "SCIPORT_DATACITE_PASSWORD" in error
    assert datacite.dois == {}


@pytest.mark.django_db
def test_datacite_refusing_metadata_names_the_attributes(datacite, make_draft):
    record = version_record(make_draft())
    incomplete = type(record)(pid=record.pid, url=record.url, datacite={"titles": record.datacite["titles"]})
    with pytest.raises(pids.RegistryError) as refused:
        pids.provider().register(incomplete)
    message = str(refused.value)
    assert message.startswith(f"DataCite refused the metadata of {record.pid}:")
    assert "creators: Can't be blank" in message
    assert "publisher: Can't be blank" in message


@pytest.mark.django_db
def test_reserving_again_after_a_lost_answer_is_harmless(datacite, make_draft):
    record = version_record(make_draft())
    pids.provider().reserve(record)
    pids.provider().reserve(record)
    assert datacite.doi(record.pid).state == "draft"


@pytest.mark.django_db
def test_a_doi_outside_the_repositorys_prefix_is_refused(datacite, make_draft, settings):
    record = version_record(make_draft())
    foreign = type(record)(pid="10.9999/elsewhere", url=record.url, datacite=record.datacite)
    with pytest.raises(pids.RegistryError, match=r"\(403 You are not authorized"):
        pids.provider().register(foreign)


@pytest.mark.django_db
def test_cstr_identifiers_are_minted_and_resolved_here(settings, make_draft, publish):
    settings.PID_PROVIDER = "cstr"
    settings.PID_PREFIX = "31253"
    version = publish(make_draft())
    assert version.pid == f"CSTR:31253.11.sciport.{version.public_id}"
    assert version.dataset.concept_pid == f"CSTR:31253.11.sciport.{version.dataset.public_id}"
    resolved = Client().get(f"/pid/{version.pid}")
    assert resolved.status_code == 302
    assert resolved["Location"].endswith(f"/data/versions/{version.public_id}/")
    record = metadata.to_datacite(version)
    assert {"alternateIdentifier": version.pid, "alternateIdentifierType": "CSTR"} in record["alternateIdentifiers"]
    concept_link = next(r for r in record["relatedIdentifiers"] if r["relationType"] == "IsVersionOf")
    assert concept_link["relatedIdentifierType"] == "URL"
    assert concept_link["relatedIdentifier"] == pids.provider().resolver_url(version.dataset.concept_pid)


def sciport_check(tmp_path, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sciport", "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "SCIPORT_VAR_DIR": str(tmp_path), **environment},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"SCIPORT_PID_PROVIDER": "datacite", "SCIPORT_PID_PREFIX": "10.80001"}, "needs SCIPORT_DATACITE_USER and"),
        (
            {"SCIPORT_PID_PROVIDER": "datacite", "SCIPORT_DATACITE_USER": "A.B", "SCIPORT_DATACITE_PASSWORD": "x"},
            "SCIPORT_PID_PREFIX must be a DOI prefix",
        ),
        ({"SCIPORT_PID_PROVIDER": "cstr", "SCIPORT_PID_PREFIX": "20.500.1"}, "CSTR registration-agency code"),
    ],
)
def test_sciport_check_refuses_a_provider_that_cannot_work(tmp_path, environment, message):
    result = sciport_check(tmp_path, **environment)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_sciport_check_accepts_datacite_with_credentials(tmp_path):
    environment = {"SCIPORT_DATACITE_USER": "A.B", "SCIPORT_DATACITE_PASSWORD": "x", "SCIPORT_PID_PREFIX": "10.80001"}
    result = sciport_check(tmp_path, SCIPORT_PID_PROVIDER="datacite", **environment)
    assert result.returncode == 0, result.stderr
