"""The Data Bank demo: two communities, datasets in every state with real files, loaded twice without duplicates."""

from __future__ import annotations

import pytest

from sciport.accounts import demo as accounts_demo
from sciport.datasets import demo
from sciport.datasets.models import Community, DatasetFile, DatasetVersion, ReviewPolicy
from sciport.datasets.tests.pages import client_for, text_of

pytestmark = pytest.mark.django_db


def test_the_demo_covers_every_state_and_loads_twice_without_duplicates():
    accounts_demo.load()
    demo.load()
    counts = (Community.objects.count(), DatasetVersion.objects.count(), DatasetFile.objects.count())
    demo.load()
    assert (Community.objects.count(), DatasetVersion.objects.count(), DatasetFile.objects.count()) == counts

    assert set(Community.objects.values_list("review_policy", flat=True)) == set(ReviewPolicy.values)
    assert set(DatasetVersion.objects.values_list("state", flat=True)) == {"draft", "in_curation", "published", "withdrawn"}
    assert {"open", "restricted", "embargoed"} <= set(DatasetVersion.objects.values_list("access_level", flat=True))
    assert DatasetVersion.objects.filter(version_number=2, state="published").exists()
    assert all(v.title_zh and v.title_en for v in DatasetVersion.objects.all())
    media = set(DatasetFile.objects.values_list("media_type", flat=True))
    assert {"text/csv", "application/json", "text/markdown", "image/png"} <= media


def test_demo_pages_render_in_both_languages():
    accounts_demo.load()
    demo.load()
    listing = text_of(client_for(None, "zh-hans").get("/data/"))
    assert "长三角空气质量小时观测" in listing
    assert "城市热岛" not in listing
    for version in DatasetVersion.objects.exclude(state__in=["draft", "in_curation"]):
        for language in ("zh-hans", "en"):
            assert client_for(None, language).get(f"/data/versions/{version.public_id}/").status_code == 200
    png = DatasetFile.objects.get(media_type="image/png")
    preview = client_for().get(f"/data/files/{png.public_id}/preview/", HTTP_HX_REQUEST="true").content.decode()
    assert f"/api/v1/files/{png.public_id}/content?inline=true" in preview
    content = client_for().get(f"/api/v1/files/{png.public_id}/content")
    assert b"".join(content.streaming_content).startswith(b"\x89PNG")
