"""Exports read by the clients research tools use: rdflib parses DCAT, mlcroissant loads Croissant, rocrate reads RO-Crate."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

os.environ.setdefault("CROISSANT_CACHE", tempfile.mkdtemp(prefix="croissant-"))  # before mlcroissant reads it
import mlcroissant
from rocrate.rocrate import ROCrate

from sciport.datasets.services import lifecycle, private_links
from sciport.datasets.tests.pages import client_for, text_of
from sciport.testing.datasets import sample_metadata

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("local_storage"),
    # rdflib's own JSON-LD parser (used by mlcroissant too) still builds a ConjunctiveGraph inside.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

SPDX = Namespace("http://spdx.org/rdf/terms#")
ORCID = "https://orcid.org/0000-0002-1825-0097"
ROR = "https://ror.org/013q1eq08"
CSV = b"station,readings,pm25,day\nA,24,12.5,2025-01-01\nB,23,7.25,2025-01-02\n"
FILES = {"data/readings.csv": CSV, "README.md": b"# Readings\n"}
ROUTES = ("dcat.jsonld", "dcat.ttl", "croissant.json", "ro-crate-metadata.json", "ro-crate.zip")


@pytest.fixture
def published(bank, make_draft, publish):
    """A published version with keywords, a field of science, a place and two files."""

    def make(**settings):
        version = make_draft(files=FILES, **settings)
        metadata = sample_metadata() | {
            "keywords": [{"value": "PM2.5", "lang": "en"}, {"value": "空气质量", "lang": "zh"}],
            "fieldOfScience": ["1.5"],
            "geoLocations": [
                {"geoLocationPlace": "Shanghai", "geoLocationPoint": {"pointLatitude": 31.23, "pointLongitude": 121.47}}
            ],
        }
        version = lifecycle.version_update(actor=bank.depositor, version=version, metadata=metadata)
        return publish(version)

    return make


def _file(version, path):
    return next(file for file in version.files.all() if file.path == path)


def test_rdflib_parses_the_dcat_turtle_and_finds_the_dataset(published, api_for, settings):
    version = published()
    turtle = api_for(None).get(f"/versions/{version.public_id}/dcat.ttl")
    assert turtle["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.content.decode(), format="turtle")
    dataset = graph.value(predicate=RDF.type, object=DCAT.Dataset)
    assert dataset is not None
    assert (dataset, DCTERMS.title, Literal("长三角空气质量数据 2025", lang="zh")) in graph
    assert (dataset, DCTERMS.title, Literal("Yangtze delta air quality 2025", lang="en")) in graph
    assert (dataset, DCTERMS.description, Literal("Hourly PM2.5 observations.", lang="en")) in graph
    assert (dataset, DCTERMS.identifier, Literal(version.pid)) in graph
    assert graph.value(dataset, DCTERMS.issued) is not None
    assert graph.value(dataset, DCTERMS.modified) is not None
    assert graph.value(graph.value(dataset, DCTERMS.publisher), FOAF.name) == Literal("sciport Science Data Bank")
    assert (dataset, DCTERMS.creator, URIRef(ORCID)) in graph
    assert graph.value(URIRef(ORCID), FOAF.name) == Literal("Wang, Li")
    assert (dataset, DCAT.keyword, Literal("空气质量", lang="zh")) in graph
    assert (dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/legalcode")) in graph
    theme = graph.value(dataset, DCAT.theme)
    assert (theme, SKOS.prefLabel, Literal("地球与相关环境科学", lang="zh")) in graph
    assert graph.value(graph.value(dataset, DCTERMS.spatial), SKOS.prefLabel) == Literal("Shanghai")

    csv = _file(version, "data/readings.csv")
    download = URIRef(f"{settings.SITE_URL}/api/v1/files/{csv.public_id}/content")
    assert (dataset, DCAT.distribution, download) in graph
    assert (download, DCAT.downloadURL, download) in graph
    assert graph.value(download, DCAT.byteSize).toPython() == len(CSV)
    assert graph.value(download, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/text/csv")
    checksum = graph.value(download, SPDX.checksum)
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert str(graph.value(checksum, SPDX.checksumValue)) == csv.sha256
    assert len(list(graph.objects(dataset, DCAT.distribution))) == 2


def test_the_dcat_json_ld_says_the_same_triples_as_the_turtle(published, api_for):
    version = published()
    client = api_for(None)
    jsonld = client.get(f"/versions/{version.public_id}/dcat.jsonld")
    assert jsonld["Content-Type"].startswith("application/ld+json")
    turtle = client.get(f"/versions/{version.public_id}/dcat.ttl").content.decode()
    assert isomorphic(Graph().parse(data=jsonld.content, format="json-ld"), Graph().parse(data=turtle, format="turtle"))


def test_mlcroissant_loads_the_croissant_export_with_a_record_set_per_table(published, api_for):
    version = published()
    document = api_for(None).get(f"/versions/{version.public_id}/croissant.json").json()
    dataset = mlcroissant.Dataset(jsonld=document)
    assert not dataset.metadata.ctx.issues.errors
    assert not dataset.metadata.ctx.issues.warnings
    assert dataset.metadata.name == "Yangtze delta air quality 2025"
    assert dataset.metadata.license == ["https://creativecommons.org/licenses/by/4.0/legalcode"]
    contents = {file.name: file for file in dataset.metadata.distribution}
    assert set(contents) == {"data/readings.csv", "README.md"}
    assert contents["data/readings.csv"].sha256 == _file(version, "data/readings.csv").sha256
    assert contents["data/readings.csv"].encoding_formats == ["text/csv"]
    [record_set] = dataset.metadata.record_sets
    types = {field.name: [str(kind) for kind in field.data_types] for field in record_set.fields}
    assert types == {
        "station": ["https://schema.org/Text"],
        "readings": ["https://schema.org/Integer"],
        "pm25": ["https://schema.org/Float"],
        "day": ["https://schema.org/Date"],
    }


@pytest.mark.django_db(transaction=True)
def test_mlcroissant_reads_the_rows_of_a_table_from_a_live_server(published, live_server, settings):
    settings.SITE_URL = live_server.url
    version = published()
    import requests

    document = requests.get(f"{live_server.url}/api/v1/versions/{version.public_id}/croissant.json", timeout=10).json()
    dataset = mlcroissant.Dataset(jsonld=document)
    [record_set] = dataset.metadata.record_sets
    rows = list(dataset.records(record_set=record_set.uuid))
    assert len(rows) == 2
    first = {key.rsplit("/", 1)[-1]: value for key, value in rows[0].items()}
    assert first["0"] == b"A"
    assert first["1"] == 24
    assert first["2"] == 12.5


def _unzip(response, target: Path) -> Path:
    body = b"".join(response.streaming_content)
    zipfile.ZipFile(io.BytesIO(body)).extractall(target)
    return target


def test_rocrate_reads_the_crate_with_its_files_and_authors(published, api_for, tmp_path):
    version = published()
    response = api_for(None).get(f"/versions/{version.public_id}/ro-crate.zip")
    assert response["Content-Type"] == "application/zip"
    crate = ROCrate(_unzip(response, tmp_path / "crate"))
    assert crate.name == "Yangtze delta air quality 2025"
    files = {entity["name"]: entity for entity in crate.data_entities}
    assert set(files) == {"data/readings.csv", "README.md"}
    csv = files["data/readings.csv"]
    assert csv["sha256"] == _file(version, "data/readings.csv").sha256
    assert csv["contentSize"] == str(len(CSV))
    assert csv["encodingFormat"] == "text/csv"
    assert (tmp_path / "crate" / csv.id).read_bytes() == CSV
    [author] = crate.root_dataset["author"]
    assert author.id == ORCID
    assert author["name"] == "Wang, Li"
    [affiliation] = author["affiliation"]
    assert affiliation.id == ROR
    assert affiliation["name"] == "Fudan University"
    assert crate.root_dataset["license"].id == "https://creativecommons.org/licenses/by/4.0/legalcode"


def test_a_reader_who_may_not_download_gets_a_crate_of_web_links(published, api_for, tmp_path, settings):
    version = published(access_level="restricted", data_use_agreement="Research only.")
    response = api_for(None).get(f"/versions/{version.public_id}/ro-crate.zip")
    extracted = _unzip(response, tmp_path / "crate")
    assert sorted(path.name for path in extracted.rglob("*") if path.is_file()) == ["ro-crate-metadata.json"]
    crate = ROCrate(extracted)
    ids = {entity.id for entity in crate.data_entities}
    assert ids == {f"{settings.SITE_URL}/api/v1/files/{file.public_id}/content" for file in version.files.all()}


def test_the_metadata_file_alone_names_files_by_their_download_urls(published, api_for, settings):
    version = published()
    document = api_for(None).get(f"/versions/{version.public_id}/ro-crate-metadata.json").json()
    files = [entity for entity in document["@graph"] if entity["@type"] == "File"]
    assert {entity["@id"] for entity in files} == {
        f"{settings.SITE_URL}/api/v1/files/{file.public_id}/content" for file in version.files.all()
    }


def test_a_withdrawn_version_exports_its_record_without_files(published, bank, api_for):
    version = published()
    lifecycle.version_transition(actor=bank.curator, version=version, event="withdraw", message="Consent was withdrawn.")
    client = api_for(None)
    graph = Graph().parse(data=client.get(f"/versions/{version.public_id}/dcat.ttl").content.decode(), format="turtle")
    assert graph.value(predicate=RDF.type, object=DCAT.Dataset) is not None
    assert not list(graph.subject_objects(DCAT.distribution))
    assert client.get(f"/versions/{version.public_id}/croissant.json").json()["distribution"] == []


def test_a_drafts_exports_are_as_hidden_as_its_landing_page(bank, make_draft, make_bank, api_for):
    version = make_draft()
    for route in ROUTES:
        assert api_for(None).get(f"/versions/{version.public_id}/{route}").status_code == 404
        assert api_for(make_bank().depositor).get(f"/versions/{version.public_id}/{route}").status_code == 404
        assert api_for(bank.depositor).get(f"/versions/{version.public_id}/{route}").status_code == 200


def test_the_landing_page_links_every_export(published):
    version = published()
    page = client_for().get(f"/data/versions/{version.public_id}/")
    text = text_of(page)
    for label in ("DataCite XML", "DataCite JSON", "DCAT (Turtle)", "Croissant", "RO-Crate"):
        assert label in text
    for route in (*ROUTES, "datacite.xml", "datacite.json"):
        assert f"/api/v1/versions/{version.public_id}/{route}" in page.content.decode()


def test_a_reviewer_link_shows_no_exports_since_they_answer_only_those_who_see_the_version(bank, make_draft):
    version = make_draft()
    issued = private_links.private_link_create(actor=bank.depositor, version=version, label="Journal")
    page = client_for().get(f"/data/review/{issued.token}/")
    assert page.status_code == 200
    assert "Croissant" not in text_of(page)
    assert f"/api/v1/versions/{version.public_id}/dcat.ttl" not in page.content.decode()
