"""Metadata through the API: field errors at JSON paths, DataCite exports as the landing page shows them, the taxonomy."""

import pytest
from datacite import schema45
from lxml import etree

from sciport.core.i18n_compile import compile_all
from sciport.testing.datasets import sample_metadata

pytestmark = pytest.mark.django_db
compile_all()  # the answers below are translated from the committed catalogue, as `make test` compiles it


def test_malformed_metadata_answers_422_naming_each_field(bank, api_for):
    metadata = sample_metadata()
    metadata["creators"][0]["nameIdentifiers"][0]["nameIdentifier"] = "https://orcid.org/0000-0002-1825-0096"
    metadata["geoLocations"] = [{"geoLocationPoint": {"pointLatitude": -91, "pointLongitude": 0}}]
    refused = api_for(bank.depositor).post(
        "/datasets", {"community_id": bank.community.public_id, "metadata": metadata}, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    errors = {error["field"]: error["message"] for error in refused.json()["errors"]}
    assert set(errors) == {"creators[0].nameIdentifiers[0].nameIdentifier", "geoLocations[0].geoLocationPoint.pointLatitude"}
    assert "check digit" in errors["creators[0].nameIdentifiers[0].nameIdentifier"]


def test_field_errors_speak_the_callers_language(bank, api_for):
    refused = api_for(bank.depositor).post(
        "/datasets",
        {"community_id": bank.community.public_id, "metadata": {"publicationYear": "26"}},
        headers={"Accept-Language": "zh-hans"},
    )
    assert refused.json()["errors"] == [{"field": "publicationYear", "message": "请填写四位数的年份。"}]


def test_the_datacite_exports_of_a_published_version(make_draft, publish, api_for):
    version = publish(make_draft())
    anonymous = api_for(None)
    record = anonymous.get(f"/versions/{version.public_id}/datacite.json").json()
    assert schema45.validate(record)
    assert record["titles"][0]["title"] == "长三角空气质量数据 2025"
    xml = anonymous.get(f"/versions/{version.public_id}/datacite.xml")
    assert xml["Content-Type"].startswith("application/xml")
    document = etree.fromstring(xml.content)
    namespace = {"d": "http://datacite.org/schema/kernel-4"}
    assert document.find(".//d:affiliation", namespace).get("affiliationIdentifier") == "https://ror.org/013q1eq08"


def test_a_drafts_exports_are_as_hidden_as_its_landing_page(make_draft, bank, api_for, make_user):
    draft = make_draft()
    for path in (f"/versions/{draft.public_id}/datacite.json", f"/versions/{draft.public_id}/datacite.xml"):
        assert api_for(make_user()).get(path).status_code == 404
        assert api_for(None).get(path).status_code == 404
        assert api_for(bank.depositor).get(path).status_code == 200


def test_the_fields_of_science_in_both_languages(api_for):
    fields = api_for(None).get("/taxonomy/fields-of-science").json()
    by_code = {field["code"]: field for field in fields}
    assert by_code["1.5"] == {
        "code": "1.5",
        "parent": "1",
        "en": "Earth and related environmental sciences",
        "zh": "地球与相关环境科学",
    }
    assert by_code["6"]["parent"] == ""
    assert len(fields) == 48
