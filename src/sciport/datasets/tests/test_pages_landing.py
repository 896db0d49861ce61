"""Public pages: the dataset list, communities, landing pages with versions, identifiers, citation, folder browser and previews."""

from __future__ import annotations

import re

import pytest

from sciport.datasets.models import Community
from sciport.datasets.services import lifecycle
from sciport.datasets.tests.pages import client_for, text_of
from sciport.testing.datasets import add_bytes, sample_metadata

pytestmark = pytest.mark.django_db

CSV_SAMPLE = b"station,readings,pm25,day\nA,24,12.5,2025-01-01\nB,23,7.25,2025-01-02\n"


def test_the_list_shows_published_datasets_newest_first_and_filters_by_community(bank, make_draft, publish, make_bank):
    older = publish(make_draft())
    newer = lifecycle.dataset_create(
        actor=bank.depositor, community=bank.community, metadata=sample_metadata("Metro ridership 2024", "地铁客流 2024")
    )
    add_bytes(newer, "counts.csv", b"line,riders\n1,100\n")
    publish(newer)
    make_draft(files={})  # drafts are not listed
    other = make_bank()
    elsewhere = lifecycle.dataset_create(
        actor=other.depositor, community=other.community, metadata=sample_metadata("Coastal tides", "沿海潮汐")
    )
    add_bytes(elsewhere, "tides.csv", b"t,h\n0,1\n")
    lifecycle.version_transition(actor=other.depositor, version=elsewhere, event="submit")
    lifecycle.version_transition(actor=other.curator, version=elsewhere, event="publish")

    text = text_of(client_for().get("/data/"))
    assert text.index("Metro ridership 2024") < text.index("Yangtze delta air quality 2025")
    assert "Coastal tides" in text
    assert text.count("Yangtze delta air quality 2025") == 1

    only_ours = text_of(client_for().get(f"/data/?community={bank.community.public_id}"))
    assert "Coastal tides" not in only_ours
    assert "Metro ridership 2024" in only_ours
    community_page = text_of(client_for().get(f"/data/communities/{other.community.public_id}/"))
    assert "Coastal tides" in community_page
    assert "Metro ridership" not in community_page
    assert older.public_id
    assert "2 datasets" in text_of(client_for().get("/data/communities/"))


def test_the_data_navigation_item_leads_to_the_list(bank):
    page = client_for().get("/data/").content.decode()
    assert re.search(r'<a href="/data/" aria-current="page">Data</a>', page)


def test_a_landing_page_shows_creators_identifiers_versions_licence_and_citation(bank, make_draft, publish):
    first = publish(make_draft())
    second = lifecycle.version_new(actor=bank.depositor, dataset=first.dataset)
    second = publish(second)
    client = client_for()

    old = client.get(f"/data/versions/{first.public_id}/")
    assert "A newer version of this dataset exists." in text_of(old)

    page = client.get(f"/data/versions/{second.public_id}/")
    html, text = page.content.decode(), text_of(page)
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html
    assert 'href="https://ror.org/013q1eq08"' in html
    assert second.pid in text
    assert second.dataset.concept_pid in text
    assert "the concept identifier resolves to the newest published version" in text
    assert "Creative Commons Attribution 4.0 International" in text
    assert re.search(r"Version 2\s*newest", text)
    assert "Wang, L. (2026). Yangtze delta air quality 2025 (Version 2) [Data set]. sciport Science Data Bank. " in text
    assert client.get(f"/data/{second.dataset.public_id}/")["Location"] == f"/data/versions/{second.public_id}/"


def test_the_folder_browser_shows_folders_first_and_pages_through_a_large_folder(bank, make_draft, publish):
    version = make_draft(files={"readme.md": b"# Read me\n", "raw/2025/a.csv": b"x\n1\n"})
    for number in range(55):
        add_bytes(version, f"many/file-{number:03}.txt", f"{number}\n".encode())
    version = publish(version)
    client = client_for()

    root = text_of(client.get(f"/data/versions/{version.public_id}/"))
    assert root.index("many/") < root.index("raw/") < root.index("readme.md")
    assert "Everything as ZIP" in root
    assert "BagIt" in root

    page = client.get(f"/data/versions/{version.public_id}/files/?folder=many", HTTP_HX_REQUEST="true")
    first = text_of(page)
    assert "file-000.txt" in first
    assert "file-049.txt" in first
    assert "file-050.txt" not in first
    cursor = re.search(r'hx-get="[^"]*files/\?([^"]*cursor=[^"]+)"', page.content.decode())
    assert cursor is not None
    rest = text_of(
        client.get(f"/data/versions/{version.public_id}/files/?{cursor.group(1).replace('&amp;', '&')}", HTTP_HX_REQUEST="true")
    )
    assert "file-050.txt" in rest
    assert "file-054.txt" in rest
    assert "file-000.txt" not in rest

    nested = text_of(client.get(f"/data/versions/{version.public_id}/?folder=raw/2025"))
    assert "a.csv" in nested
    assert "readme.md" not in nested


def test_a_csv_preview_is_a_table_with_column_types(bank, make_draft, publish):
    version = publish(make_draft(files={"data/readings.csv": CSV_SAMPLE}))
    file = version.files.get()
    panel = client_for().get(f"/data/files/{file.public_id}/preview/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert "<table" in html
    columns = re.findall(r'<th scope="col" data-type="(\w+)">(\w+)<small>([^<]+)</small>', html)
    assert columns == [
        ("text", "station", "text"),
        ("int", "readings", "whole numbers"),
        ("float", "pm25", "decimal numbers"),
        ("date", "day", "dates"),
    ]
    assert "2025-01-02" in html
    page = client_for().get(f"/data/files/{file.public_id}/preview/")
    assert "Back to the dataset" in text_of(page), "without htmx the preview is a page of its own"


def test_json_and_markdown_previews(bank, make_draft, publish):
    version = publish(
        make_draft(files={"meta.json": b'{"station": "A", "values": [1, 2]}', "README.md": b"# Stations\n\n*A* only"})
    )
    client = client_for()
    shown = {
        f.name: client.get(f"/data/files/{f.public_id}/preview/", HTTP_HX_REQUEST="true").content.decode()
        for f in version.files.all()
    }
    assert '"station": "A"' in shown["meta.json"].replace("&quot;", '"')
    assert "<h1>Stations</h1>" in shown["README.md"]
    assert "<em>A</em>" in shown["README.md"]


def test_a_withdrawn_version_keeps_its_citation_and_shows_no_files(bank, make_draft, publish):
    version = publish(make_draft())
    lifecycle.version_transition(actor=bank.curator, version=version, event="withdraw", message="Consent was withdrawn.")
    text = text_of(client_for().get(f"/data/versions/{version.public_id}/"))
    assert "This version was withdrawn" in text
    assert "Consent was withdrawn." in text
    assert "Cite as" in text
    assert version.pid in text
    assert "data/" not in text
    assert "Everything as ZIP" not in text


def test_an_embargoed_dataset_says_when_its_files_open(bank, make_draft, publish):
    from datetime import date

    version = publish(make_draft(access_level="embargoed", embargo_until=date(2099, 1, 31)))
    text = text_of(client_for().get(f"/data/versions/{version.public_id}/"))
    assert "The files are under embargo until" in text
    assert "data/" in text, "names are listed"
    assert "Everything as ZIP" not in text, "content is not offered"


def test_another_organisations_draft_has_no_landing_page(bank, make_draft, make_bank):
    version = make_draft()
    assert client_for().get(f"/data/versions/{version.public_id}/").status_code == 404
    assert client_for(make_bank().depositor).get(f"/data/versions/{version.public_id}/").status_code == 404
    assert client_for(bank.depositor).get(f"/data/versions/{version.public_id}/").status_code == 200


def test_the_landing_page_speaks_chinese(bank, make_draft, publish):
    version = publish(make_draft())
    text = text_of(client_for(None, "zh-hans").get(f"/data/versions/{version.public_id}/"))
    assert "长三角空气质量数据 2025" in text.split("Yangtze")[0], "the Chinese title comes first"
    for words in ("引用", "标识符", "版本", "访问", "文件"):
        assert words in text
    assert "Cite as" not in text


def test_a_manager_opens_a_community_and_members_cannot(bank):
    manager = client_for(bank.manager)
    assert "Open a community" in text_of(manager.get("/data/communities/"))
    refused = manager.post(
        "/data/communities/new/",
        {"organisation": bank.organisation.public_id, "slug": "bad slug!", "name_en": "Oceans", "review_policy": "review"},
    )
    assert refused.status_code == 422
    assert "Use letters, digits, hyphens and underscores." in text_of(refused)

    opened = manager.post(
        "/data/communities/new/",
        {"organisation": bank.organisation.public_id, "slug": "oceans", "name_zh": "海洋", "review_policy": "auto_publish"},
    )
    community = Community.objects.get(slug="oceans")
    assert opened["Location"] == f"/data/communities/{community.public_id}/"
    assert community.review_policy == "auto_publish"
    assert "海洋" in text_of(client_for(bank.depositor).get("/data/new/"))

    assert client_for(bank.depositor).get("/data/communities/new/").status_code == 404
    assert "Open a community" not in text_of(client_for(bank.depositor).get("/data/communities/"))
