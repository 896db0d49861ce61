"""OAI-PMH 2.0 at /oai, harvested by the Sickle client from a live server, and every error a bad request earns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import requests
from django.contrib.auth.models import AnonymousUser
from lxml import etree
from sickle import Sickle, oaiexceptions

from sciport.datasets.models import DatasetVersion, OaiRecord
from sciport.datasets.oai import tokens
from sciport.datasets.oai.responses import oai_identifier
from sciport.datasets.selectors.versions import visible_versions
from sciport.datasets.services import lifecycle
from sciport.testing.datasets import Bank, add_bytes, sample_metadata

pytestmark = pytest.mark.django_db(transaction=True)
OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture
def repository(live_server: Any, settings: Any) -> Sickle:
    settings.OAI_PAGE_SIZE = 3  # several resumption pages from a handful of records
    return Sickle(f"{live_server.url}/oai", max_retries=0)


@pytest.fixture
def published(bank: Bank, publish: Callable[[DatasetVersion], DatasetVersion]) -> Callable[..., DatasetVersion]:
    def make(title: str, community: Any = None) -> DatasetVersion:
        version = lifecycle.dataset_create(
            actor=bank.depositor, community=community or bank.community, metadata=sample_metadata(title_en=title)
        )
        add_bytes(version, "data/readings.csv", b"station,pm25\nA,12\n")
        return publish(version)

    return make


def withdraw(bank: Bank, version: DatasetVersion) -> DatasetVersion:
    return lifecycle.version_transition(actor=bank.curator, version=version, event="withdraw", message="Consent withdrawn.")


def test_identify_describes_the_repository(repository: Sickle, published: Callable[..., DatasetVersion]) -> None:
    first = published("Rainfall")
    identify = repository.Identify()
    assert identify.repositoryName == "sciport Science Data Bank"
    assert identify.protocolVersion == "2.0"
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.adminEmail == "noreply@sciport.local"
    assert identify.baseURL.endswith("/oai")
    assert identify.earliestDatestamp == first.updated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_harvest_every_record_in_both_formats_across_pages(
    repository: Sickle, bank: Bank, make_draft: Callable[..., DatasetVersion], published: Callable[..., DatasetVersion]
) -> None:
    titles = [f"Station {n}" for n in range(7)]
    versions = [published(title) for title in titles]
    make_draft()  # drafts are never harvested
    withdrawn = withdraw(bank, versions[2])

    records = list(repository.ListRecords(metadataPrefix="oai_dc"))
    assert len(records) == 7  # three pages of three
    anyone_sees = visible_versions(AnonymousUser()).values_list("public_id", flat=True)
    assert {record.header.identifier for record in records} == {oai_identifier(public_id) for public_id in anyone_sees}
    live = [record for record in records if not record.deleted]
    assert sorted(record.metadata["title"][1] for record in live) == sorted(t for t in titles if t != "Station 2")
    assert [record.header.identifier for record in records if record.deleted] == [oai_identifier(withdrawn.public_id)]
    assert records[-1].header.identifier == oai_identifier(withdrawn.public_id)  # withdrawn last: its datestamp moved on
    one = live[0]
    assert one.metadata["creator"] == ["Wang, Li"]
    assert one.metadata["publisher"] == ["sciport Science Data Bank"]
    assert "Hourly PM2.5 observations." in one.metadata["description"]
    assert "info:eu-repo/semantics/openAccess" in one.metadata["rights"]
    assert one.header.setSpecs == [bank.community.slug]

    datacite = list(repository.ListRecords(metadataPrefix="oai_datacite"))
    assert len(datacite) == 7
    resource = next(record for record in datacite if not record.deleted).xml
    titles_xml = resource.findall(".//{http://datacite.org/schema/kernel-4}title")
    assert {title.text for title in titles_xml} & set(titles)
    assert resource.find(".//{http://schema.datacite.org/oai/oai-1.1/}schemaVersion").text == "4.5"

    headers = list(repository.ListIdentifiers(metadataPrefix="oai_dc"))
    assert [header.identifier for header in headers] == [record.header.identifier for record in records]
    assert sum(header.deleted for header in headers) == 1


def test_resumption_token_carries_list_size_and_cursor(
    live_server: Any, settings: Any, published: Callable[..., DatasetVersion]
) -> None:
    settings.OAI_PAGE_SIZE = 3
    for n in range(4):
        published(f"Site {n}")
    first = etree.fromstring(
        requests.get(f"{live_server.url}/oai", params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}, timeout=10).content
    )
    token = first.find(f".//{OAI}resumptionToken")
    assert (token.get("completeListSize"), token.get("cursor")) == ("4", "0")
    assert token.get("expirationDate")
    last = etree.fromstring(
        requests.post(
            f"{live_server.url}/oai", data={"verb": "ListIdentifiers", "resumptionToken": token.text}, timeout=10
        ).content
    )
    end = last.find(f".//{OAI}resumptionToken")
    assert (end.get("completeListSize"), end.get("cursor"), end.text) == ("4", "3", None)
    assert len(last.findall(f".//{OAI}header")) == 1


def test_from_until_and_set_filters(repository: Sickle, bank: Bank, published: Callable[..., DatasetVersion]) -> None:
    oceans = lifecycle.community_create(
        actor=bank.manager, organisation=bank.organisation, fields={"slug": "oceans", "name_en": "Oceans"}
    )
    old = [published(f"Old {n}") for n in range(2)]
    DatasetVersion.objects.filter(pk__in=[v.pk for v in old]).update(updated_at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC))
    recent = published("Recent")
    elsewhere = published("Elsewhere", community=oceans)

    def identifiers(**arguments: str) -> set[str]:
        try:
            return {header.identifier for header in repository.ListIdentifiers(metadataPrefix="oai_dc", **arguments)}
        except oaiexceptions.NoRecordsMatch:
            return set()

    old_ids = {oai_identifier(v.public_id) for v in old}
    assert identifiers(until="2024-05-01") == old_ids
    assert identifiers(**{"from": "2024-05-01T12:00:00Z", "until": "2024-05-01T12:00:00Z"}) == old_ids
    assert identifiers(**{"from": "2024-05-02"}) == {oai_identifier(recent.public_id), oai_identifier(elsewhere.public_id)}
    assert identifiers(set="oceans") == {oai_identifier(elsewhere.public_id)}
    assert identifiers(set=bank.community.slug, **{"from": "2025-01-01"}) == {oai_identifier(recent.public_id)}
    assert identifiers(set="no-such-community") == set()


def test_sets_formats_and_single_records(repository: Sickle, bank: Bank, published: Callable[..., DatasetVersion]) -> None:
    version = published("Glaciers")
    gone = withdraw(bank, published("Retracted"))
    assert [(s.setSpec, s.setName) for s in repository.ListSets()] == [(bank.community.slug, "Atmosphere")]
    assert {f.metadataPrefix for f in repository.ListMetadataFormats()} == {"oai_dc", "oai_datacite"}
    assert {f.metadataPrefix for f in repository.ListMetadataFormats(identifier=oai_identifier(version.public_id))} == {
        "oai_dc",
        "oai_datacite",
    }
    record = repository.GetRecord(identifier=oai_identifier(version.public_id), metadataPrefix="oai_dc")
    assert "Glaciers" in record.metadata["title"]
    tombstone = repository.GetRecord(identifier=oai_identifier(gone.public_id), metadataPrefix="oai_datacite")
    assert tombstone.deleted
    assert tombstone.header.datestamp == gone.updated_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_corrected_record_is_rendered_again(repository: Sickle, published: Callable[..., DatasetVersion]) -> None:
    version = published("Before")
    identifier = oai_identifier(version.public_id)
    assert "Before" in repository.GetRecord(identifier=identifier, metadataPrefix="oai_dc").metadata["title"]
    assert OaiRecord.objects.filter(version=version).exists()  # rendered once, kept
    DatasetVersion.objects.filter(pk=version.pk).update(
        metadata=sample_metadata(title_en="After"), updated_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    )
    assert "After" in repository.GetRecord(identifier=identifier, metadataPrefix="oai_dc").metadata["title"]


def test_private_and_unpublished_versions_are_not_records(
    repository: Sickle, make_draft: Callable[..., DatasetVersion], publish: Callable[[DatasetVersion], DatasetVersion]
) -> None:
    hidden = publish(make_draft(access_level="private"))
    draft = make_draft(files={})
    assert not visible_versions(AnonymousUser()).filter(pk__in=[hidden.pk, draft.pk]).exists()
    for version in (hidden, draft):
        with pytest.raises(oaiexceptions.IdDoesNotExist):
            repository.GetRecord(identifier=oai_identifier(version.public_id), metadataPrefix="oai_dc")
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        list(repository.ListRecords(metadataPrefix="oai_dc"))


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01", "until": "2024-02-01T00:00:00Z"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01T00:00:00.5Z"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": "oai:x:y"}, "badArgument"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "resumptionToken": "abc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "identifier": "oai:elsewhere:dsv_1", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
        ({"verb": "ListMetadataFormats", "identifier": "oai:127.0.0.1:dsv_nothing"}, "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "resumptionToken": "garbled"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "garbled"}, "badResumptionToken"),
    ],
)
def test_bad_requests_get_the_protocol_error(live_server: Any, arguments: dict[str, Any], code: str) -> None:
    url = f"{live_server.url}/oai"
    for answer in (requests.get(url, params=arguments, timeout=10), requests.post(url, data=arguments, timeout=10)):
        assert answer.status_code == 200
        document = etree.fromstring(answer.content)
        assert [error.get("code") for error in document.findall(f"{OAI}error")] == [code]
        request = document.find(f"{OAI}request")
        echoed = code not in ("badVerb", "badArgument")
        assert (request.get("verb") is not None) == echoed  # arguments are echoed only when they were valid


def test_an_expired_or_tampered_token_is_refused(
    repository: Sickle, monkeypatch: pytest.MonkeyPatch, published: Callable[..., DatasetVersion]
) -> None:
    for n in range(4):
        published(f"Lake {n}")
    token = repository.ListIdentifiers(metadataPrefix="oai_dc").resumption_token.token
    with pytest.raises(oaiexceptions.BadResumptionToken):
        list(repository.ListIdentifiers(resumptionToken=token[:-2] + "xx"))
    monkeypatch.setattr(tokens, "LIFETIME", dt.timedelta(seconds=-1))  # the server runs in this process
    with pytest.raises(oaiexceptions.BadResumptionToken):
        list(repository.ListIdentifiers(resumptionToken=token))
