"""Metadata: DataCite 4.5 rules field by field, and exports that DataCite's own schema accepts."""

from datetime import date, timedelta
from typing import Any

import pytest
from datacite import schema45
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sciport.core.errors import ValidationFailed
from sciport.datasets import metadata
from sciport.datasets.models import VersionState
from sciport.datasets.services import lifecycle
from sciport.testing.datasets import add_bytes, sample_metadata

pytestmark = pytest.mark.django_db

DATACITE_NS = {"d": "http://datacite.org/schema/kernel-4"}


def chinese_only() -> dict[str, Any]:
    """A dataset described in Chinese alone, with a field of science instead of subjects."""
    described = sample_metadata()
    described["titles"] = [{"title": "黄浦江水质逐时监测数据集（2020–2024）"}]
    described["descriptions"] = [{"description": "黄浦江十个断面的溶解氧、浊度与氨氮逐时观测。", "descriptionType": "Abstract"}]
    described["creators"] = [{"name": "上海市环境监测中心", "nameType": "Organizational", "lang": "zh"}]
    described["publisher"] = {"name": "上海科学数据银行", "lang": "zh"}
    described.pop("subjects")
    described["fieldOfScience"] = ["1.5", "2.7"]
    described["keywords"] = [{"value": "水质", "lang": "zh"}, {"value": "黄浦江", "lang": "zh"}]
    described["dataAvailability"] = [{"statement": "数据在禁用期结束后公开。", "lang": "zh"}]
    described["language"] = "zh"
    return described


def everything() -> dict[str, Any]:
    """Every kind of field a depositor may give: places, funders, the article, contributors, dates."""
    described = sample_metadata(title_en="Shanghai coastal wetland soil carbon", title_zh="上海滨海湿地土壤碳储量")
    described["titles"].append({"title": "Soil carbon of Chongming Dongtan", "titleType": "AlternativeTitle", "lang": "en"})
    described["contributors"] = [
        {
            "name": "Chen, Yu",
            "nameType": "Personal",
            "contributorType": "DataCurator",
            "nameIdentifiers": [{"nameIdentifier": "0000-0001-5109-3700", "nameIdentifierScheme": "ORCID"}],
            "affiliation": [{"name": "East China Normal University", "affiliationIdentifier": "https://ror.org/02n96ep67"}],
        },
        {"name": "Shanghai Ocean University", "nameType": "Organizational", "contributorType": "HostingInstitution"},
    ]
    described["geoLocations"] = [
        {"geoLocationPlace": "Chongming Dongtan", "geoLocationPoint": {"pointLatitude": 31.52, "pointLongitude": 121.96}},
        {
            "geoLocationBox": {
                "westBoundLongitude": 121.8,
                "eastBoundLongitude": 122.1,
                "southBoundLatitude": 31.4,
                "northBoundLatitude": 31.6,
            }
        },
        {
            "geoLocationPolygon": [
                {"polygonPoint": {"pointLatitude": 31.4, "pointLongitude": 121.8}},
                {"polygonPoint": {"pointLatitude": 31.6, "pointLongitude": 121.8}},
                {"polygonPoint": {"pointLatitude": 31.6, "pointLongitude": 122.1}},
                {"polygonPoint": {"pointLatitude": 31.4, "pointLongitude": 121.8}},
            ]
        },
    ]
    described["fundingReferences"] = [
        {
            "funderName": "National Natural Science Foundation of China",
            "funderIdentifier": "https://doi.org/10.13039/501100001809",
            "funderIdentifierType": "Crossref Funder ID",
            "awardNumber": "42171098",
            "awardTitle": "Blue carbon of estuarine wetlands",
        },
        {"funderName": "Fudan University", "funderIdentifier": "https://ror.org/013q1eq08", "funderIdentifierType": "ROR"},
    ]
    described["relatedIdentifiers"] = [
        {
            "relatedIdentifier": "https://doi.org/10.1038/s41586-020-2649-2",
            "relatedIdentifierType": "DOI",
            "relationType": "IsSupplementTo",
            "resourceTypeGeneral": "JournalArticle",
        }
    ]
    described["dates"] = [{"date": "2023-04-01/2023-10-31", "dateType": "Collected", "dateInformation": "field campaign"}]
    described["rightsList"] = [{"rightsIdentifier": "cc0-1.0", "rightsIdentifierScheme": "spdx"}]
    described["keywords"] = [{"value": "blue carbon", "lang": "en"}, {"value": "蓝碳", "lang": "zh"}]
    described["fieldOfScience"] = ["1.5"]
    described["dataAvailability"] = [
        {"statement": "All data are in this dataset.", "lang": "en"},
        {"statement": "全部数据均在本数据集中。", "lang": "zh"},
    ]
    return described


def published(bank, publish, described: dict[str, Any], **access: Any):
    version = lifecycle.dataset_create(
        actor=bank.depositor,
        community=bank.community,
        metadata=described,
        settings_=lifecycle.VersionSettings(**access) if access else None,
    )
    add_bytes(version, "data/samples.csv", b"core,depth_cm,soc\nA,10,1.2\n")
    return publish(version)


def assert_valid_datacite(record: dict[str, Any]) -> None:
    problems = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in schema45.validator.iter_errors(record)]
    assert not problems, problems
    assert schema45.validate(record)


@pytest.mark.parametrize(
    ("described", "access"),
    [
        (sample_metadata(), {}),
        (chinese_only(), {"access_level": "embargoed", "embargo_until": timezone.localdate() + timedelta(days=90)}),
        (everything(), {}),
        (everything(), {"access_level": "restricted", "data_use_agreement": "Cite the article; no redistribution."}),
    ],
    ids=["sample", "chinese-only-embargoed", "everything", "everything-restricted"],
)
def test_every_published_datasets_metadata_passes_the_datacite_45_schema(bank, publish, described, access):
    version = published(bank, publish, described, **access)
    assert version.state == VersionState.PUBLISHED
    assert_valid_datacite(metadata.to_datacite(version))
    assert_valid_datacite(metadata.to_datacite(version, as_concept=True))


def test_new_versions_and_withdrawn_ones_still_pass(bank, publish):
    v1 = published(bank, publish, everything())
    v2 = publish(lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset))
    lifecycle.version_transition(actor=bank.curator, version=v1, event="withdraw", message="Superseded by v2.")
    v1.refresh_from_db()
    for record in (metadata.to_datacite(v1), metadata.to_datacite(v2), metadata.to_datacite(v2, as_concept=True)):
        assert_valid_datacite(record)
    withdrawn = {d["dateType"]: d for d in metadata.to_datacite(v1)["dates"]}["Withdrawn"]
    assert withdrawn["dateInformation"] == "Superseded by v2."


def test_the_export_links_each_version_to_its_concept_and_predecessor(bank, publish, settings):
    v1 = published(bank, publish, sample_metadata())
    v2 = publish(lifecycle.version_new(actor=bank.depositor, dataset=v1.dataset))
    concept_pid = v1.dataset.concept_pid

    def relations(record: dict[str, Any]) -> set[tuple[str, str]]:
        return {(r["relationType"], r["relatedIdentifier"]) for r in record["relatedIdentifiers"]}

    assert relations(metadata.to_datacite(v2)) == {("IsVersionOf", concept_pid), ("IsNewVersionOf", v1.pid)}
    assert relations(metadata.to_datacite(v1)) == {("IsVersionOf", concept_pid)}
    concept = metadata.to_datacite(v2, as_concept=True)
    assert relations(concept) == {("HasVersion", v1.pid), ("HasVersion", v2.pid)}
    assert "version" not in concept
    record = metadata.to_datacite(v2)
    assert record["version"] == "2"
    # Local identifiers are handles: DataCite carries them as alternate identifiers, not as the DOI.
    assert {"alternateIdentifier": v2.pid, "alternateIdentifierType": "Handle"} in record["alternateIdentifiers"]
    assert "doi" not in record
    assert record["sizes"] == ["1 file", f"{v2.total_bytes} bytes"]


def test_the_export_turns_our_own_keys_into_datacite_fields(bank, publish):
    record = metadata.to_datacite(
        published(bank, publish, chinese_only(), access_level="embargoed", embargo_until=date(2031, 1, 1))
    )
    subjects = {(s["subject"], s.get("subjectScheme"), s.get("lang")) for s in record["subjects"]}
    assert ("FOS: Earth and related environmental sciences", "Fields of Science and Technology", "en") in subjects
    assert ("地球与相关环境科学", "Fields of Science and Technology", "zh") in subjects
    assert ("水质", None, "zh") in subjects
    assert {"description": "数据在禁用期结束后公开。", "descriptionType": "Other", "lang": "zh"} in record["descriptions"]
    dates = {d["dateType"]: d["date"] for d in record["dates"]}
    assert dates["Available"] == "2031-01-01"
    assert {"rights": "Embargoed Access", "rightsUri": "info:eu-repo/semantics/embargoedAccess"} in record["rightsList"]
    licence = next(r for r in record["rightsList"] if r.get("rightsIdentifier"))
    assert licence["rightsUri"] == "https://creativecommons.org/licenses/by/4.0/legalcode"
    for key in ("keywords", "fieldOfScience", "dataAvailability"):
        assert key not in record


def test_a_chinese_only_title_is_the_chinese_title(bank, publish):
    version = published(bank, publish, chinese_only())
    assert version.title_zh == "黄浦江水质逐时监测数据集（2020–2024）"
    assert version.title_en == ""


def test_the_xml_parses_and_keeps_the_ror_affiliation_and_the_orcid(bank, publish):
    version = published(bank, publish, everything())
    document = etree.fromstring(metadata.to_xml(version).encode())
    assert document.tag == "{http://datacite.org/schema/kernel-4}resource"
    affiliation = document.find(".//d:creator/d:affiliation", DATACITE_NS)
    assert affiliation.text == "Fudan University"
    assert affiliation.get("affiliationIdentifier") == "https://ror.org/013q1eq08"
    assert affiliation.get("affiliationIdentifierScheme") == "ROR"
    orcid = document.find(".//d:creator/d:nameIdentifier", DATACITE_NS)
    assert orcid.text == "https://orcid.org/0000-0002-1825-0097"
    assert orcid.get("nameIdentifierScheme") == "ORCID"
    funder = document.find(".//d:fundingReference/d:funderIdentifier", DATACITE_NS)
    assert funder.get("funderIdentifierType") == "Crossref Funder ID"
    article = document.find(".//d:relatedIdentifier[@relationType='IsSupplementTo']", DATACITE_NS)
    assert article.text == "10.1038/s41586-020-2649-2"
    assert document.find(".//d:geoLocationPolygon", DATACITE_NS) is not None


def test_identifiers_are_stored_in_their_canonical_form(bank):
    given = everything()
    given["creators"][0]["nameIdentifiers"][0]["nameIdentifier"] = "0000-0002-1825-0097"
    stored = lifecycle.dataset_create(actor=bank.depositor, community=bank.community, metadata=given).metadata
    assert stored["creators"][0]["nameIdentifiers"][0]["nameIdentifier"] == "https://orcid.org/0000-0002-1825-0097"
    assert stored["relatedIdentifiers"][0]["relatedIdentifier"] == "10.1038/s41586-020-2649-2"
    assert stored["rightsList"][0] == {"rightsIdentifier": "CC0-1.0", "rightsIdentifierScheme": "SPDX"}
    assert stored["contributors"][0]["affiliation"][0]["affiliationIdentifierScheme"] == "ROR"


def with_change(change: dict[str, Any]) -> dict[str, Any]:
    described = sample_metadata()
    described.update(change)
    return described


CREATOR = sample_metadata()["creators"][0]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (
            {"creators": [{**CREATOR, "nameIdentifiers": [{"nameIdentifier": "0000-0002-1825-0098", "nameIdentifierScheme": "ORCID"}]}]},
            "creators[0].nameIdentifiers[0].nameIdentifier",
        ),
        ({"creators": [{**CREATOR, "affiliation": [{"name": "Fudan", "affiliationIdentifier": "https://ror.org/013q1eq09"}]}]}, "creators[0].affiliation[0].affiliationIdentifier"),
        ({"creators": [{**CREATOR, "affiliation": [{"name": "Fudan", "affiliationIdentifier": "013q1eq08", "affiliationIdentifierScheme": "ROR"}]}]}, "creators[0].affiliation[0].affiliationIdentifier"),
        ({"rightsList": [{"rightsIdentifier": "CC-BY-5.0", "rightsIdentifierScheme": "SPDX"}]}, "rightsList[0].rightsIdentifier"),
        ({"rightsList": [{"rightsIdentifier": "CC-BY-4.0", "rightsIdentifierScheme": "Custom"}]}, "rightsList[0].rightsIdentifierScheme"),
        ({"relatedIdentifiers": [{"relatedIdentifier": "nature article", "relatedIdentifierType": "DOI", "relationType": "IsSupplementTo"}]}, "relatedIdentifiers[0].relatedIdentifier"),
        ({"relatedIdentifiers": [{"relatedIdentifier": "10.1/x", "relatedIdentifierType": "CSTR", "relationType": "Cites"}]}, "relatedIdentifiers[0].relatedIdentifierType"),
        ({"dates": [{"date": "2023-02-30", "dateType": "Collected"}]}, "dates[0].date"),
        ({"dates": [{"date": "2023-01-01", "dateType": "Issued"}]}, "dates[0].dateType"),
        ({"geoLocations": [{"geoLocationPoint": {"pointLatitude": 95, "pointLongitude": 121}}]}, "geoLocations[0].geoLocationPoint.pointLatitude"),
        ({"geoLocations": [{"geoLocationPoint": {"pointLatitude": 31, "pointLongitude": "121E"}}]}, "geoLocations[0].geoLocationPoint.pointLongitude"),
        ({"titles": [{"title": "A", "lang": "chinese"}]}, "titles[0].lang"),
        ({"titles": [{"title": "x" * 501}]}, "titles[0].title"),
        ({"titles": "A title"}, "titles"),
        ({"types": {"resourceTypeGeneral": "Spreadsheet"}}, "types.resourceTypeGeneral"),
        ({"publicationYear": "26"}, "publicationYear"),
        ({"fieldOfScience": ["9.9"]}, "fieldOfScience[0]"),
        ({"keywords": [{"value": 7}]}, "keywords[0].value"),
        ({"fundingReferences": [{"funderName": "NSFC", "funderIdentifier": "501100001809", "funderIdentifierType": "Crossref Funder ID"}]}, "fundingReferences[0].funderIdentifier"),
        ({"doi": "10.1234/mine"}, "doi"),
        ({"colour": "blue"}, "colour"),
    ],
)  # fmt: skip
def test_malformed_metadata_is_refused_field_by_field(bank, given, field):
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.dataset_create(actor=bank.depositor, community=bank.community, metadata=with_change(given))
    assert [error.field for error in refused.value.errors] == [field]
    assert all(str(error.message) for error in refused.value.errors)


def test_a_draft_may_be_incomplete_but_not_malformed(bank):
    draft = lifecycle.dataset_create(
        actor=bank.depositor, community=bank.community, metadata={"titles": [{"title": "Half done"}], "creators": [{}]}
    )
    assert draft.title_en == "Half done"
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.version_update(actor=bank.depositor, version=draft, metadata={"creators": [{"name": 3, "colour": "x"}]})
    assert {error.field for error in refused.value.errors} == {"creators[0].name", "creators[0].colour"}


def test_submitting_incomplete_metadata_lists_every_missing_field(bank):
    draft = lifecycle.dataset_create(
        actor=bank.depositor,
        community=bank.community,
        metadata={
            "descriptions": [{"description": "Readings."}],
            "contributors": [{"name": "Chen, Yu"}],
            "rightsList": [{"rights": "Ask us"}],
            "geoLocations": [{"geoLocationPolygon": [{"polygonPoint": {"pointLatitude": 1, "pointLongitude": 2}}]}],
        },
    )
    add_bytes(draft, "a.csv", b"a\n")
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.version_transition(actor=bank.depositor, version=draft, event="submit")
    assert {error.field for error in refused.value.errors} == {
        "metadata.titles",
        "metadata.creators",
        "metadata.publisher",
        "metadata.publicationYear",
        "metadata.types.resourceTypeGeneral",
        "metadata.rightsList",
        "metadata.fieldOfScience",
        "metadata.descriptions[0].descriptionType",
        "metadata.contributors[0].contributorType",
        "metadata.geoLocations[0].geoLocationPolygon",
    }
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT


def test_complete_metadata_has_nothing_missing():
    assert metadata.missing_for_publication(everything()) == []
    assert metadata.missing_for_publication(chinese_only()) == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
KEYS = [*sorted(everything()), "doi", "unknown"]


@given(st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6))
@settings(max_examples=300, deadline=None, database=None)
def test_any_json_is_either_stored_or_refused_field_by_field(mangled):
    described = {**everything(), **mangled}
    errors = []
    try:
        stored = metadata.validate(described)
    except ValidationFailed as refused:
        errors = refused.errors
        stored = None
    if stored is None:
        assert errors
        assert all(error.field and str(error.message) for error in errors)
    else:
        assert all(error.field for error in metadata.missing_for_publication(stored))
        metadata.titles(stored)
