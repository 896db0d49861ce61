"""GET /api/v1/datasets/search and /data/search/: published datasets by Chinese and English words, with facets.

The index follows the lifecycle: publication and corrections index a concept's newest
published version, a new version replaces the old one, withdrawal takes it out.
"""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.utils import timezone

from sciport.core.models import SearchDocument
from sciport.datasets.services import access as access_services
from sciport.datasets.services import lifecycle
from sciport.datasets.tests.pages import client_for, text_of
from sciport.testing.datasets import add_bytes, sample_metadata

pytestmark = pytest.mark.django_db

AIR = "Yangtze delta air quality 2025"
METRO = "Metro ridership 2024"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs an action, then what it left for after commit (the index update among it)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def deposit(bank, committed, publish):
    """Publish a dataset of the bank with these titles, metadata changes, files and access settings."""

    def make(title_en, title_zh, *, files=None, published=True, depositor=None, community=None, settings=None, **metadata):
        version = lifecycle.dataset_create(
            actor=depositor or bank.depositor,
            community=community or bank.community,
            metadata={**sample_metadata(title_en, title_zh), **metadata},
            settings_=lifecycle.VersionSettings(**settings) if settings else None,
        )
        for path, data in (files or {"readings.csv": b"a,b\n1,2\n"}).items():
            add_bytes(version, path, data)
        return committed(publish, version) if published else version

    return make


def search(api, **params):
    response = api.get("/datasets/search?" + urlencode(params))
    assert response.status_code == 200, response.content
    return response.json()


def titles(api, **params):
    return [item["version"]["title_en"] for item in search(api, **params)["items"]]


def test_a_two_character_chinese_word_finds_chinese_titles(deposit, api_for):
    deposit(AIR, "长三角空气质量数据 2025")
    deposit(METRO, "地铁客流 2024")
    anonymous = api_for(None)
    assert titles(anonymous, q="空气") == [AIR]
    assert titles(anonymous, q="客流") == [METRO]
    assert titles(anonymous, q="质量") == [AIR]
    body = search(anonymous, q="空气")
    assert "<mark>" in body["items"][0]["snippet"]


def test_english_words_find_titles_descriptions_keywords_and_creators(deposit, api_for):
    deposit(AIR, "长三角空气质量数据 2025", keywords=[{"value": "particulate matter", "lang": "en"}])
    deposit(
        METRO,
        "地铁客流 2024",
        descriptions=[{"description": "Daily passenger counts per station.", "descriptionType": "Abstract", "lang": "en"}],
    )
    anonymous = api_for(None)
    assert titles(anonymous, q="AIR quality") == [AIR]
    assert titles(anonymous, q="passenger") == [METRO]
    assert titles(anonymous, q="particulate") == [AIR]
    assert sorted(titles(anonymous, q="Wang")) == sorted([AIR, METRO]), "creators are searched"
    assert titles(anonymous, q="ridership passenger") == [METRO]
    assert titles(anonymous, q="air passenger") == [], "every word must match"


def test_facets_count_each_value_with_the_other_filters_applied(deposit, bank, api_for):
    deposit(
        AIR,
        "长三角空气质量数据 2025",
        fieldOfScience=["1.5"],
        files={"a.csv": b"x\n1\n", "b.csv": b"x\n2\n", "c.nc": b"CDF"},
    )
    deposit(
        "Air monitors 2024",
        "空气监测站 2024",
        publicationYear="2024",
        rightsList=[{"rightsIdentifier": "CC0-1.0", "rightsIdentifierScheme": "SPDX"}],
        settings={"access_level": "restricted", "data_use_agreement": "Research use only."},
        files={"m.nc": b"CDF", "n.nc": b"CDF"},
    )
    deposit(
        METRO,
        "地铁客流 2024",
        publicationYear="2024",
        settings={"access_level": "embargoed", "embargo_until": timezone.localdate() + timedelta(days=30)},
    )
    anonymous = api_for(None)

    everything = search(anonymous)
    assert len(everything["items"]) == 3
    facets = {name: {v["value"]: v["count"] for v in values} for name, values in everything["facets"].items()}
    assert facets["year"] == {"2024": 2, "2026": 1}
    assert facets["licence"] == {"CC-BY-4.0": 2, "CC0-1.0": 1}
    assert facets["access"] == {"open": 1, "restricted": 1, "embargoed": 1}
    assert facets["file_type"] == {"csv": 2, "nc": 1}
    assert facets["organisation"] == {bank.organisation.public_id: 3}
    assert facets["subject"] == {"1.5": 1, "Atmospheric sciences": 2}
    labels = {v["value"]: v["label"] for v in everything["facets"]["licence"]}
    assert labels["CC0-1.0"] == "Creative Commons Zero v1.0 Universal"

    narrowed = search(anonymous, q="空气", year="2024")
    assert [item["title"] for item in narrowed["items"]] == ["空气监测站 2024"]
    counts = {name: {v["value"]: v["count"] for v in values} for name, values in narrowed["facets"].items()}
    assert counts["year"] == {"2024": 1, "2026": 1}, "a facet is counted without its own filter"
    assert counts["licence"] == {"CC0-1.0": 1}
    assert counts["access"] == {"restricted": 1}

    combined = search(anonymous, q="2024", year="2024", access="embargoed", licence="CC-BY-4.0", file_type="csv")
    assert [item["version"]["title_en"] for item in combined["items"]] == [METRO]
    assert search(anonymous, year="2024", file_type="nc", access="open")["items"] == []


def test_private_datasets_and_drafts_never_appear(deposit, bank, api_for):
    deposit("Private air samples", "私有空气样本", settings={"access_level": "private"})
    deposit("Draft air samples", "空气草稿", published=False)
    deposit(AIR, "长三角空气质量数据 2025")
    for reader in (api_for(None), api_for(bank.depositor), api_for(bank.curator), api_for(bank.manager)):
        assert titles(reader, q="空气") == [AIR]
        assert titles(reader, q="samples") == []
    assert SearchDocument.objects.filter(kind="dataset").count() == 1, "private datasets are never indexed"


def test_restricted_and_embargoed_datasets_are_discoverable_by_anyone(deposit, api_for):
    deposit("Restricted air", "受限空气", settings={"access_level": "restricted", "data_use_agreement": "Ask first."})
    deposit(
        "Embargoed air",
        "禁运空气",
        settings={"access_level": "embargoed", "embargo_until": timezone.localdate() + timedelta(days=9)},
    )
    assert sorted(titles(api_for(None), q="air")) == ["Embargoed air", "Restricted air"]


def test_a_withdrawn_dataset_leaves_the_index(deposit, bank, committed, api_for):
    version = deposit(AIR, "长三角空气质量数据 2025")
    assert titles(api_for(None), q="空气") == [AIR]
    committed(lifecycle.version_transition, actor=bank.curator, version=version, event="withdraw", message="Wrong station data.")
    assert titles(api_for(None), q="空气") == []
    assert titles(api_for(bank.curator), q="空气") == []
    assert not SearchDocument.objects.filter(kind="dataset").exists()


def test_a_new_version_replaces_the_old_one_and_its_withdrawal_brings_the_old_one_back(
    deposit, bank, committed, publish, api_for
):
    first = deposit(AIR, "长三角空气质量数据 2025")
    second = lifecycle.version_new(actor=bank.depositor, dataset=first.dataset)
    lifecycle.version_update(
        actor=bank.depositor, version=second, metadata=sample_metadata("Yangtze delta ozone 2025", "长三角臭氧数据 2025")
    )
    assert titles(api_for(None), q="臭氧") == [], "a draft of a new version is not indexed"
    second = committed(publish, second)

    anonymous = api_for(None)
    found = search(anonymous, q="长三角")["items"]
    assert [(item["dataset_id"], item["version"]["id"]) for item in found] == [(first.dataset.public_id, second.public_id)]
    assert titles(anonymous, q="臭氧") == ["Yangtze delta ozone 2025"]
    assert titles(anonymous, q="空气") == [], "the old version's words are gone"

    committed(lifecycle.version_transition, actor=bank.curator, version=second, event="withdraw", message="Bad ozone sensor.")
    assert titles(anonymous, q="空气") == [AIR], "the concept falls back to its other published version"
    assert titles(anonymous, q="臭氧") == []


def test_a_curators_correction_of_published_metadata_is_indexed(deposit, bank, committed, api_for):
    version = deposit(AIR, "长三角空气质量数据 2025")
    corrected = sample_metadata("Yangtze delta air quality 2025 (corrected)", "长三角空气质量与气象数据 2025")
    committed(lifecycle.version_update, actor=bank.curator, version=version, metadata=corrected)
    assert titles(api_for(None), q="气象") == ["Yangtze delta air quality 2025 (corrected)"]


def test_reindex_rebuilds_the_datasets_from_the_database(deposit, api_for, capsys):
    deposit(AIR, "长三角空气质量数据 2025")
    deposit("Private air", "私有空气", settings={"access_level": "private"})
    SearchDocument.objects.filter(kind="dataset").delete()
    assert titles(api_for(None), q="空气") == []
    call_command("reindex", "datasets")
    assert "datasets: 1 documents indexed" in capsys.readouterr().out
    assert titles(api_for(None), q="空气") == [AIR]


def test_bad_filters_and_cursors_are_refused_plainly(api_for):
    assert api_for(None).get("/datasets/search?cursor=nonsense").status_code == 422
    assert api_for(None).get("/datasets/search?limit=0").status_code == 422
    assert search(api_for(None), q='" OR * NEAR(')["items"] == []


def test_the_search_page_shows_hits_and_facet_checkboxes_in_both_languages(deposit, bank, api_for):
    deposit(AIR, "长三角空气质量数据 2025", fieldOfScience=["1.5"])
    deposit(METRO, "地铁客流 2024", publicationYear="2024")

    assert "/data/search/" in client_for().get("/data/").content.decode(), "the dataset list links to the search"

    english = client_for(language="en").get("/data/search/?q=air")
    text = text_of(english)
    assert AIR in text
    assert METRO not in text
    assert "Earth and related environmental sciences (1)" in text
    assert 'type="checkbox" name="year" value="2026"' in english.content.decode()

    chinese = text_of(client_for(language="zh-hans").get("/data/search/?q=空气"))
    assert "长三角空气质量数据 2025" in chinese
    assert "地球与相关环境科学 (1)" in chinese
    assert "检索数据集" in chinese
    assert "文件类型" in chinese

    chosen = client_for(language="en").get("/data/search/?year=2024")
    html = chosen.content.decode()
    assert METRO in text_of(chosen)
    assert AIR not in text_of(chosen)
    assert 'value="2024" checked' in html
    assert 'value="2026"' not in html, "a chosen facet shows only its value"

    partial = client_for(language="en").get("/data/search/?q=metro", headers={"HX-Request": "true"})
    assert METRO in text_of(partial)
    assert "<html" not in partial.content.decode(), "htmx gets the results only"
    assert "No published dataset matches" in text_of(client_for(language="en").get("/data/search/?q=nothing-like-this"))


def test_an_ended_embargo_moves_the_dataset_to_the_open_facet(deposit, committed, api_for):
    opens = timezone.localdate() + timedelta(days=3)
    deposit(AIR, "长三角空气质量数据 2025", settings={"access_level": "embargoed", "embargo_until": opens})
    assert titles(api_for(None), access="embargoed") == [AIR]
    committed(access_services.embargo_open_due, today=opens)
    assert titles(api_for(None), access="embargoed") == []
    assert titles(api_for(None), access="open") == [AIR]
