"""Deposit pages: start a draft, fill the form row by row, see each service error on its row, submit, recall, discard."""

from __future__ import annotations

import json
import re

import pytest

from sciport.datasets.models import DatasetVersion, VersionState
from sciport.datasets.services import lifecycle
from sciport.datasets.tests.pages import client_for, form_fields, text_of

pytestmark = pytest.mark.django_db


def test_a_member_starts_a_draft_in_a_community_of_their_organisation(bank):
    client = client_for(bank.depositor)
    page = client.get("/data/new/")
    assert page.status_code == 200
    assert bank.community.public_id in page.content.decode()

    response = client.post(
        "/data/new/", {"community": bank.community.public_id, "title_zh": "上海地铁客流", "title_en": "Shanghai metro ridership"}
    )

    version = DatasetVersion.objects.get(title_en="Shanghai metro ridership")
    assert response.status_code == 302
    assert response["Location"] == f"/data/versions/{version.public_id}/edit/"
    assert version.state == VersionState.DRAFT
    assert version.metadata["publisher"]["name"], "the organisation is proposed as publisher"
    assert version.pid
    assert version.dataset.concept_pid


def test_a_draft_needs_a_title_and_a_community_of_ones_own(bank, make_bank):
    other = make_bank()
    response = client_for(bank.depositor).post("/data/new/", {"community": other.community.public_id, "title_en": "x"})
    assert response.status_code == 422
    assert "Select a valid choice" in text_of(response)
    response = client_for(bank.depositor).post("/data/new/", {"community": bank.community.public_id})
    assert response.status_code == 422
    assert "Give the dataset a Chinese or an English title" in text_of(response)
    assert not DatasetVersion.objects.exists()


def test_the_form_saves_every_part_as_datacite_and_shows_it_again(bank, make_draft):
    version = make_draft()
    client = client_for(bank.depositor)
    fields = form_fields(client.get(f"/data/versions/{version.public_id}/edit/"), "metadata-form")
    assert fields["creators-0-name"] == "Wang, Li"
    assert fields["creators-0-orcid"] == "0000-0002-1825-0097"
    assert fields["creators-0-ror"] == "013q1eq08"
    fields |= {
        "keywords_zh": "空气质量，PM2.5",
        "keywords_en": "air quality, PM2.5",
        "field_of_science": ["1.5"],
        "licence": "CC-BY-4.0",
        "data_availability": "All data are openly available.",
        "creators-1-name": "Zhang, San",
        "creators-1-orcid": "https://orcid.org/0000-0001-5109-3700",
        "creators-1-affiliation": "Shencheng University",
        "contributors-0-name": "Shencheng Environmental Lab",
        "contributors-0-name_type": "Organizational",
        "contributors-0-contributor_type": "HostingInstitution",
        "related-0-identifier": "https://doi.org/10.1234/article.5",
        "related-0-identifier_type": "DOI",
        "related-0-relation_type": "IsSupplementTo",
        "funding-0-funder_name": "National Natural Science Foundation of China",
        "funding-0-funder_identifier": "https://ror.org/01h0zpd94",
        "funding-0-award_number": "42075001",
        "places-0-place": "Shanghai",
        "places-0-latitude": "31.23",
        "places-0-longitude": "121.47",
        "dates-0-date": "2025-01-01/2025-12-31",
        "dates-0-date_type": "Collected",
        "creators-TOTAL_FORMS": "2",
    }
    response = client.post(f"/data/versions/{version.public_id}/edit/", fields | {"action": "save"})
    assert response.status_code == 302, text_of(response)

    version.refresh_from_db()
    meta = version.metadata
    assert [c["name"] for c in meta["creators"]] == ["Wang, Li", "Zhang, San"]
    assert meta["creators"][1]["familyName"] == "Zhang"
    assert meta["creators"][1]["nameIdentifiers"][0]["nameIdentifier"] == "https://orcid.org/0000-0001-5109-3700"
    assert meta["creators"][0]["affiliation"][0]["affiliationIdentifier"] == "https://ror.org/013q1eq08"
    assert meta["contributors"][0] == {
        "name": "Shencheng Environmental Lab",
        "nameType": "Organizational",
        "contributorType": "HostingInstitution",
    }
    assert {(k["value"], k["lang"]) for k in meta["keywords"]} == {
        ("空气质量", "zh"),
        ("PM2.5", "zh"),
        ("air quality", "en"),
        ("PM2.5", "en"),
    }
    assert meta["fieldOfScience"] == ["1.5"]
    assert meta["relatedIdentifiers"][0]["relatedIdentifier"] == "10.1234/article.5"
    assert meta["fundingReferences"][0]["funderIdentifierType"] == "ROR"
    assert meta["geoLocations"][0]["geoLocationPoint"] == {"pointLatitude": 31.23, "pointLongitude": 121.47}
    assert meta["dates"] == [{"date": "2025-01-01/2025-12-31", "dateType": "Collected"}]
    assert meta["rightsList"][0]["rightsIdentifier"] == "CC-BY-4.0"
    assert meta["dataAvailability"] == [{"statement": "All data are openly available.", "lang": "en"}]
    assert meta["subjects"] == [{"subject": "Atmospheric sciences", "subjectScheme": "OECD FOS"}], "rows not shown are kept"

    shown = form_fields(client.get(f"/data/versions/{version.public_id}/edit/"), "metadata-form")
    assert shown["creators-1-name"] == "Zhang, San"
    assert shown["related-0-identifier"] == "10.1234/article.5"
    assert shown["field_of_science"] == "1.5"


def test_a_wrong_orcid_is_shown_on_its_row_and_nothing_is_saved(bank, make_draft):
    version = make_draft()
    client = client_for(bank.depositor)
    fields = form_fields(client.get(f"/data/versions/{version.public_id}/edit/"), "metadata-form")
    fields |= {"creators-1-name": "Zhang, San", "creators-1-orcid": "0000-0001-5109-3701", "creators-TOTAL_FORMS": "2"}

    response = client.post(f"/data/versions/{version.public_id}/edit/", fields | {"action": "save"})

    assert response.status_code == 422
    page = response.content.decode()
    row = page[page.index('id="field-creators-1-orcid"') :][:800]
    assert "wrong check digit" in row
    assert 'href="#id_creators-1-orcid"' in page, "the summary links to the field"
    version.refresh_from_db()
    assert len(version.metadata["creators"]) == 1


def test_submitting_an_incomplete_draft_marks_each_missing_field(bank, make_draft):
    version = make_draft(files={})
    client = client_for(bank.depositor)
    fields = form_fields(client.get(f"/data/versions/{version.public_id}/edit/"), "metadata-form")
    fields |= {"licence": "", "description_zh": "", "description_en": ""}

    response = client.post(f"/data/versions/{version.public_id}/edit/", fields | {"action": "submit"})

    assert response.status_code == 422
    text = text_of(response)
    assert "This draft is not ready to submit." in text
    assert "Choose a licence by its SPDX id" in text
    assert "Describe the dataset." in text
    assert "Add at least one file." in text
    page = response.content.decode()
    assert "Choose a licence" in page[page.index('id="field-licence"') :][:1500]
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT
    assert not version.metadata.get("rightsList"), "the draft was saved, then the submission refused"


def test_save_and_submit_sends_a_complete_draft_to_the_curators(bank, make_draft):
    version = make_draft()
    client = client_for(bank.depositor)
    fields = form_fields(client.get(f"/data/versions/{version.public_id}/edit/"), "metadata-form")
    response = client.post(f"/data/versions/{version.public_id}/edit/", fields | {"action": "submit"})
    assert response.status_code == 302, text_of(response)
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED

    page = client.get(f"/data/versions/{version.public_id}/edit/")
    assert "Recall to edit" in text_of(page)
    assert 'name="title_en"' in page.content.decode()
    assert "disabled" in page.content.decode()
    client.post(f"/data/versions/{version.public_id}/transition/", {"event": "recall"})
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


def test_discarding_a_draft_removes_it(bank, make_draft):
    version = make_draft()
    response = client_for(bank.depositor).post(f"/data/versions/{version.public_id}/discard/")
    assert response.status_code == 302
    assert not DatasetVersion.objects.filter(pk=version.pk).exists()


def test_another_organisations_draft_is_not_found(bank, make_draft, make_bank):
    version = make_draft()
    stranger = make_bank().depositor
    for path in ("/edit/", "/", "/private-links/", "/curate/"):
        assert client_for(stranger).get(f"/data/versions/{version.public_id}{path}").status_code == 404
    assert client_for(stranger).post(f"/data/versions/{version.public_id}/discard/").status_code == 404
    assert client_for(stranger).post(f"/data/versions/{version.public_id}/edit/", {"title_en": "x"}).status_code == 404
    assert DatasetVersion.objects.filter(pk=version.pk).exists()


def test_the_deposit_form_speaks_chinese(bank, make_draft):
    version = make_draft()
    text = text_of(client_for(bank.depositor, "zh-hans").get(f"/data/versions/{version.public_id}/edit/"))
    for words in ("创建者", "许可协议", "保存并提交审核", "访问"):
        assert words in text
    assert "Save and submit" not in text


def test_a_curator_corrects_published_metadata_but_not_its_access(bank, make_draft, publish):
    version = publish(make_draft())
    client = client_for(bank.curator)
    page = client.get(f"/data/versions/{version.public_id}/edit/")
    assert "You are correcting the metadata of a published version" in text_of(page)
    fields = form_fields(page, "metadata-form")
    assert "access_level" not in fields, "the access settings are shown but locked"
    fields |= {"title_en": "Yangtze delta air quality 2025 (corrected)", "action": "save"}
    assert client.post(f"/data/versions/{version.public_id}/edit/", fields).status_code == 302
    version.refresh_from_db()
    assert version.title_en == "Yangtze delta air quality 2025 (corrected)"
    assert version.state == VersionState.PUBLISHED

    depositor_page = client_for(bank.depositor).get(f"/data/versions/{version.public_id}/edit/")
    assert "Save" not in [b.strip() for b in re.findall(r"<button[^>]*>([^<]*)</button>", depositor_page.content.decode())]


def test_the_draft_page_carries_the_uploader_in_the_page_language(bank, make_draft):
    version = make_draft()
    page = client_for(bank.depositor, "zh-hans").get(f"/data/versions/{version.public_id}/edit/").content.decode()
    assert f'data-version="{version.public_id}"' in page
    assert 'data-endpoint="/api/v1/uploads/"' in page
    assert "/static/datasets/upload.js" in page
    messages = json.loads(re.search(r'<script id="upload-messages" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert messages["pause"] == "暂停"
    assert "%(percent)s" in messages["uploading"]
    submitted = lifecycle.version_transition(actor=bank.depositor, version=version, event="submit")
    assert "data-uploader" not in client_for(bank.depositor).get(f"/data/versions/{submitted.public_id}/edit/").content.decode()


def test_removing_a_file_from_a_draft_refreshes_its_folder(bank, make_draft, make_bank):
    version = make_draft(files={"data/a.csv": b"a\n1\n", "data/b.csv": b"b\n2\n"})
    file = version.files.get(name="a.csv")
    client = client_for(bank.depositor)
    answer = client.post(f"/data/files/{file.public_id}/delete/", HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    text = text_of(answer)
    assert "b.csv" in text
    assert "a.csv" not in text
    assert list(version.files.values_list("name", flat=True)) == ["b.csv"]

    stranger_answer = client_for(make_bank().depositor).post(f"/data/files/{version.files.get().public_id}/delete/")
    assert stranger_answer.status_code == 404
    assert version.files.count() == 1


def test_the_form_offers_only_dates_a_depositor_may_give():
    from sciport.datasets.metadata_schema import MANAGED_DATE_TYPES
    from sciport.datasets.views.metadata_form import DateForm

    offered = {value for value, _label in DateForm().fields["date_type"].choices}
    assert "Collected" in offered
    assert not offered & set(MANAGED_DATE_TYPES)
