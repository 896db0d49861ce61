"""Landing pages read by machines: schema.org JSON-LD (extruct), FAIR Signposting (signposting), citations (bibtexparser, rispy)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

import bibtexparser
import extruct
import pytest
import rispy
import signposting

from sciport.datasets import signposts
from sciport.datasets.models import DatasetVersion
from sciport.datasets.services import lifecycle
from sciport.datasets.tests.discovery_helpers import ARTICLE_DOI, FUNDER_ID, full_metadata
from sciport.datasets.tests.pages import client_for, text_of
from sciport.testing.datasets import add_bytes

pytestmark = pytest.mark.django_db

ORCID = "https://orcid.org/0000-0002-1825-0097"
SPDX_CC_BY = "https://spdx.org/licenses/CC-BY-4.0"
FILES = {"data/readings.csv": b"station,pm25\nA,12\n", "README.txt": b"Hourly PM2.5.\n"}


@pytest.fixture
def make_described(bank: Any, publish: Callable[[DatasetVersion], DatasetVersion]) -> Callable[..., DatasetVersion]:
    """A version with full metadata and ``files``; published unless told otherwise."""

    def make(*, files: dict[str, bytes] = FILES, published: bool = True, **settings: Any) -> DatasetVersion:
        version = lifecycle.dataset_create(
            actor=bank.depositor,
            community=bank.community,
            metadata=full_metadata(),
            settings_=lifecycle.VersionSettings(**settings) if settings else None,
        )
        for path, data in files.items():
            add_bytes(version, path, data)
        return publish(version) if published else version

    return make


def landing(version: DatasetVersion, user: Any = None, language: str = "en") -> Any:
    return client_for(user, language).get(f"/data/versions/{version.public_id}/")


def schema_org_dataset(response: Any) -> dict[str, Any]:
    found = extruct.extract(response.content.decode(), base_url="http://testserver/", syntaxes=["json-ld"])["json-ld"]
    datasets = [item for item in found if item.get("@type") == "Dataset"]
    assert len(datasets) == 1
    return datasets[0]


def content_url(version: DatasetVersion, path: str) -> str:
    file = next(f for f in version.files.all() if f.path == path)
    return f"http://testserver/api/v1/files/{file.public_id}/content"


def test_extruct_finds_the_schema_org_dataset_with_people_licence_files_and_context(make_described):
    version = make_described()
    dataset = schema_org_dataset(landing(version))
    pid_url = f"http://127.0.0.1:8000/pid/{version.pid}"
    assert dataset["name"] == "Yangtze delta air quality 2025"
    assert dataset["description"] == "Hourly PM2.5 observations."
    assert pid_url in dataset["identifier"]
    assert dataset["url"] == f"http://testserver/data/versions/{version.public_id}/"
    assert dataset["version"] == "1"
    wang, zhang, centre = dataset["creator"]
    assert wang["@id"] == ORCID
    assert wang["affiliation"][0]["@id"] == "https://ror.org/013q1eq08"
    assert zhang["name"] == "张三"
    assert centre == {"@type": "Organization", "name": "Shanghai Environmental Monitoring Center"}
    assert dataset["publisher"]["name"] == "sciport Science Data Bank"
    assert dataset["datePublished"] == version.published_at.date().isoformat()
    assert dataset["license"] == [SPDX_CC_BY]
    assert {"air quality", "空气质量"} <= set(dataset["keywords"])
    assert dataset["isAccessibleForFree"] is True
    assert dataset["spatialCoverage"][0]["geo"]["latitude"] == 31.23
    assert dataset["funder"][0]["@id"] == FUNDER_ID
    assert dataset["citation"][0]["@id"] == f"https://doi.org/{ARTICLE_DOI}"
    assert dataset["includedInDataCatalog"]["@type"] == "DataCatalog"
    assert dataset["sameAs"] == f"http://127.0.0.1:8000/pid/{version.dataset.concept_pid}"
    downloads = {item["name"]: item for item in dataset["distribution"]}
    assert downloads["data/readings.csv"]["contentUrl"] == content_url(version, "data/readings.csv")
    assert downloads["data/readings.csv"]["encodingFormat"] == "text/csv"
    assert downloads["data/readings.csv"]["contentSize"] == "18 B"
    assert len(downloads) == 2


def test_the_json_ld_is_also_served_alone_and_in_the_readers_language(make_described):
    version = make_described()
    answer = client_for(language="zh-hans").get(f"/api/v1/versions/{version.public_id}/schema.org.json")
    assert answer["Content-Type"].startswith("application/ld+json")
    assert json.loads(answer.content)["name"] == "长三角空气质量数据 2025"
    assert schema_org_dataset(landing(version, language="zh-hans"))["description"] == "每小时 PM2.5 观测数据。"


@pytest.mark.parametrize(
    "settings", [{"access_level": "restricted", "data_use_agreement": "Cite us."}, {"access_level": "private"}]
)
def test_files_the_public_cannot_download_are_not_offered_as_downloads(make_described, bank, settings):
    version = make_described(**settings)
    dataset = schema_org_dataset(landing(version, bank.depositor))
    assert "distribution" not in dataset
    assert dataset["isAccessibleForFree"] is False
    assert dataset["conditionsOfAccess"] == version.get_access_level_display()


def test_a_withdrawn_version_keeps_its_record_without_files(make_described, bank):
    version = make_described()
    version = lifecycle.version_transition(actor=bank.curator, version=version, event="withdraw", message="Wrong units.")
    response = landing(version)
    dataset = schema_org_dataset(response)
    assert "distribution" not in dataset
    assert dataset["creativeWorkStatus"] == "Withdrawn"
    found = signposting.find_signposting_http_link([response["Link"]], response.wsgi_request.build_absolute_uri())
    assert found.citeAs is not None
    assert not found.items


def test_signposting_finds_identifier_metadata_files_and_licence_over_http(make_described, live_server, transactional_db):
    version = make_described()
    page = f"{live_server.url}/data/versions/{version.public_id}/"
    in_headers = signposting.find_signposting_http(page)
    assert str(in_headers.citeAs.target) == f"http://127.0.0.1:8000/pid/{version.pid}"
    described = {str(link.type): str(link.target) for link in in_headers.describedBy}
    assert described[signposts.DATACITE_JSON].endswith(f"/api/v1/versions/{version.public_id}/datacite.json")
    assert described[signposts.DATACITE_XML].endswith("/datacite.xml")
    assert {str(item.type) for item in in_headers.items} == {"text/csv", "text/plain"}
    assert str(in_headers.license.target) == SPDX_CC_BY
    assert {str(author.target) for author in in_headers.authors} == {ORCID}
    assert {str(kind.target) for kind in in_headers.types} == {"https://schema.org/Dataset", "https://schema.org/AboutPage"}
    linkset_url = f"{page}linkset"
    assert {str(link.target) for link in in_headers.linksets} == {linkset_url}

    for accept in (None, "application/linkset"):
        in_linkset = signposting.find_signposting_linkset(linkset_url, accept).for_context(page)
        assert in_linkset.citeAs == in_headers.citeAs.with_context(page)
        assert {str(link.target) for link in in_linkset.describedBy} == set(described.values())
        assert {str(item.target) for item in in_linkset.items} == {str(item.target) for item in in_headers.items}
        assert str(in_linkset.license.target) == SPDX_CC_BY


def test_with_many_files_the_header_leaves_the_items_to_the_linkset(make_described):
    many = {f"part-{number:03}.csv": b"a\n%d\n" % number for number in range(signposts.HEADER_ITEMS + 1)}
    version = make_described(files=many)
    response = landing(version)
    page = response.wsgi_request.build_absolute_uri()
    in_headers = signposting.find_signposting_http_link([response["Link"]], page)
    assert not in_headers.items
    assert in_headers.citeAs is not None
    assert in_headers.license is not None
    linkset = json.loads(client_for().get(f"/data/versions/{version.public_id}/linkset").content)
    assert linkset["linkset"][0]["anchor"] == page
    assert len(linkset["linkset"][0]["item"]) == len(many)
    assert all(record["describes"][0]["href"] == page for record in linkset["linkset"][1:])


def test_drafts_and_their_linkset_and_citation_are_only_for_those_who_can_see_them(make_described, bank, make_user):
    version = make_described(published=False)
    paths = [f"/data/versions/{version.public_id}/linkset", f"/api/v1/versions/{version.public_id}/citation?style=bibtex"]
    paths += [f"/api/v1/versions/{version.public_id}/schema.org.json", f"/data/versions/{version.public_id}/"]
    for path in paths:
        assert client_for().get(path).status_code == 404
        assert client_for(make_user()).get(path).status_code == 404
        assert client_for(bank.depositor).get(path).status_code == 200


def citation(version: DatasetVersion, style: str, language: str = "en") -> Any:
    return client_for(language=language).get(f"/api/v1/versions/{version.public_id}/citation?style={style}")


def test_apa_names_chinese_authors_in_full_and_others_by_initials(make_described):
    version = make_described()
    answer = citation(version, "apa")
    assert answer["Content-Type"] == "text/plain; charset=utf-8"
    assert answer.content.decode() == (
        "Wang, L., 张三, & Shanghai Environmental Monitoring Center. (2026). Yangtze delta air quality 2025 (Version 1) "
        f"[Data set]. sciport Science Data Bank. http://127.0.0.1:8000/pid/{version.pid}"
    )
    assert "长三角空气质量数据 2025 (Version 1)" in citation(version, "apa", "zh-hans").content.decode()


def test_bibtex_parses_with_authors_title_year_publisher_version_and_url(make_described):
    version = make_described()
    answer = citation(version, "bibtex")
    assert answer["Content-Type"] == "application/x-bibtex; charset=utf-8"
    (entry,) = bibtexparser.loads(answer.content.decode()).entries
    assert entry["ENTRYTYPE"] == "misc"
    assert entry["ID"] == version.public_id
    assert entry["author"] == "Wang, Li and 张, 三 and {Shanghai Environmental Monitoring Center}"
    assert entry["title"] == "{Yangtze delta air quality 2025}"
    assert (entry["year"], entry["publisher"], entry["version"]) == ("2026", "sciport Science Data Bank", "1")
    assert entry["url"] == f"http://127.0.0.1:8000/pid/{version.pid}"
    assert "Dataset, version 1" in entry["note"]


def test_a_doi_goes_in_the_doi_field(make_described, settings):
    version = make_described()
    DatasetVersion.objects.filter(pk=version.pk).update(pid="10.5072/sciport.1")
    version.refresh_from_db()
    (entry,) = bibtexparser.loads(citation(version, "bibtex").content.decode()).entries
    assert entry["doi"] == "10.5072/sciport.1"
    (record,) = rispy.loads(citation(version, "ris").content.decode())
    assert record["doi"] == "10.5072/sciport.1"


def test_ris_parses_as_a_data_record(make_described):
    version = make_described()
    answer = citation(version, "ris")
    assert answer["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    (record,) = rispy.loads(answer.content.decode())
    assert record["type_of_reference"] == "DATA"
    assert record["authors"] == ["Wang, Li", "张, 三", "Shanghai Environmental Monitoring Center"]
    assert record["title"] == "Yangtze delta air quality 2025"
    assert record["year"] == "2026"
    assert record["publisher"] == "sciport Science Data Bank"
    assert record["edition"] == "Version 1"
    assert record["urls"] == [f"http://127.0.0.1:8000/pid/{version.pid}"]
    assert record["keywords"] == ["air quality", "空气质量"]


def test_csl_json_is_a_dataset_item(make_described):
    version = make_described()
    answer = citation(version, "csl-json")
    assert answer["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    (item,) = json.loads(answer.content)
    assert item["type"] == "dataset"
    assert item["author"][1] == {"family": "张", "given": "三"}
    assert item["author"][2] == {"literal": "Shanghai Environmental Monitoring Center"}
    assert item["issued"]["date-parts"][0][0] == version.published_at.year
    assert (item["version"], item["URL"]) == ("1", f"http://127.0.0.1:8000/pid/{version.pid}")


def test_a_citation_downloads_as_a_file_and_an_unknown_style_is_refused(make_described):
    version = make_described()
    answer = client_for().get(f"/api/v1/versions/{version.public_id}/citation?style=ris&download=true")
    assert answer["Content-Disposition"] == f'attachment; filename="{version.public_id}.ris"'
    assert client_for().get(f"/api/v1/versions/{version.public_id}/citation?style=mla").status_code == 422


@pytest.mark.parametrize(
    ("language", "heading", "copy"), [("en", "Cite as", "Copy citation"), ("zh-hans", "引用格式", "复制引用")]
)
def test_the_landing_page_has_a_citation_box_with_copy_and_downloads(make_described, language, heading, copy):
    version = make_described()
    response = landing(version, language=language)
    text = html.unescape(text_of(response))
    assert heading in text
    assert copy in text
    assert "Wang, L., 张三, & Shanghai Environmental Monitoring Center. (2026)." in text
    page = response.content.decode()
    for style in ("bibtex", "ris", "csl-json"):
        assert f"/api/v1/versions/{version.public_id}/citation?style={style}&amp;download=true" in page
    assert f"/data/versions/{version.public_id}/linkset" in page
    assert "datasets/citation.js" in page
