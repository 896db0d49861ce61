"""A deposit in a real browser: drafts, resumable uploads with progress bars, the folder browser, curation, the public page.

The depositor starts a draft, uploads a file and a folder through the page's tus client,
watches both progress bars reach 100 %, sees the files in the folder browser, describes
the data and submits; a curator publishes it from the queue; an anonymous visitor reads
the landing page in Chinese and previews the CSV. Chromium as in ``test_browser.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from test_browser import VIEWPORT, browser  # noqa: F401  # the module-scoped Chromium fixture

pytestmark = pytest.mark.browser

CSV = "station,readings,pm25\nXuhui,24,12.5\nPudong,23,7.25\n"


def sign_in(chromium: Any, live_server: Any, email: str, locale: str = "en-GB") -> Any:
    from sciport.testing.fixtures import PASSWORD

    context = chromium.new_context(viewport=VIEWPORT, locale=locale)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    return page


@pytest.fixture
def deposit_files(tmp_path: Path) -> dict[str, Path]:
    readings = tmp_path / "readings.csv"
    readings.write_text(CSV)
    folder = tmp_path / "stations"
    folder.mkdir()
    (folder / "stations.json").write_text('{"Xuhui": [31.19, 121.44], "Pudong": [31.22, 121.54]}')
    return {"file": readings, "folder": folder}


def test_deposit_upload_curate_publish_and_read_in_chinese(browser, live_server, transactional_db, bank, deposit_files):  # noqa: F811
    from sciport.datasets.models import DatasetVersion, VersionState

    depositor = sign_in(browser, live_server, bank.depositor.email)
    depositor.goto(f"{live_server.url}/data/new/")
    depositor.select_option("#id_community", bank.community.public_id)
    depositor.fill("#id_title_en", "Air quality stations of Shanghai")
    depositor.fill("#id_title_zh", "上海空气质量监测站")
    depositor.click("main form button[type=submit]")
    depositor.wait_for_url("**/edit/")
    version = DatasetVersion.objects.get(title_en="Air quality stations of Shanghai")

    depositor.set_input_files("#upload-files", str(deposit_files["file"]))
    depositor.set_input_files("#upload-folder", str(deposit_files["folder"]))
    depositor.wait_for_function(
        "(() => { const bars = [...document.querySelectorAll('.upload-item progress')];"
        " return bars.length === 2 && bars.every(bar => bar.value === 100)"
        " && document.querySelectorAll('.upload-item.done').length === 2; })()",
        timeout=30_000,
    )
    assert depositor.locator(".upload-item progress").first.get_attribute("aria-label").startswith("Upload of ")
    depositor.wait_for_function("document.querySelector('#file-browser').innerText.includes('stations/')")
    browser_text = depositor.locator("#file-browser").inner_text()
    assert "readings.csv" in browser_text
    assert "stations/" in browser_text
    assert sorted(version.files.values_list("folder", "name")) == [("", "readings.csv"), ("stations", "stations.json")]
    depositor.click("#file-browser a:has-text('stations/')")
    depositor.wait_for_function("document.querySelector('#file-browser').innerText.includes('stations.json')")

    depositor.fill("#id_creators-0-name", "Li, Yan")
    depositor.fill("#id_creators-0-orcid", "0000-0002-1825-0097")
    depositor.fill("#id_description_en", "Hourly PM2.5 at two stations.")
    depositor.fill("#id_description_zh", "两个站点的每小时 PM2.5。")
    depositor.select_option("#id_licence", "CC-BY-4.0")
    depositor.select_option("#id_field_of_science", "1.5")
    depositor.click("button[name=action][value=submit]")
    depositor.wait_for_url(f"**/data/versions/{version.public_id}/")
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED
    depositor.context.close()

    curator = sign_in(browser, live_server, bank.curator.email)
    curator.goto(f"{live_server.url}/data/curation/")
    curator.click("text=Air quality stations of Shanghai")
    curator.wait_for_url("**/curate/")
    curator.click("button:has-text('Publish')")
    curator.wait_for_url(f"**/data/versions/{version.public_id}/")
    version.refresh_from_db()
    assert version.state == VersionState.PUBLISHED
    curator.context.close()

    visitor = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()
    visitor.goto(f"{live_server.url}/data/")
    visitor.click("text=上海空气质量监测站")
    visitor.wait_for_url(f"**/data/versions/{version.public_id}/")
    assert visitor.locator("h1").inner_text() == "上海空气质量监测站"
    assert "引用" in visitor.locator("main").inner_text()
    assert "readings.csv" in visitor.locator("#file-browser").inner_text()
    visitor.click("#file-browser tr:has-text('readings.csv') a:has-text('预览')")
    visitor.wait_for_selector("#preview-panel table")
    headers = visitor.locator("#preview-panel thead").text_content()
    assert "station" in headers
    assert "小数" in headers, "column types in words, in Chinese"
    assert "Pudong" in visitor.locator("#preview-panel tbody").inner_text()
    visitor.context.close()


def test_an_upload_retries_pauses_continues_after_a_reload_and_a_zip_is_unpacked(
    browser,  # noqa: F811  # the imported fixture
    live_server,
    transactional_db,
    bank,
    tmp_path,
):
    import hashlib
    import zipfile

    from sciport.datasets.services import lifecycle
    from sciport.testing.datasets import sample_metadata

    version = lifecycle.dataset_create(actor=bank.depositor, community=bank.community, metadata=sample_metadata())
    big = tmp_path / "scan.bin"
    big.write_bytes(bytes(range(256)) * (10 * 4096))  # 10 MiB: two chunks of the page's 8 MiB
    page = sign_in(browser, live_server, bank.depositor.email)
    page.goto(f"{live_server.url}/data/versions/{version.public_id}/edit/")

    def cut_later_chunks(route: Any) -> None:
        request = route.request
        if request.method == "PATCH" and request.headers.get("upload-offset") != "0":
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/uploads/**", cut_later_chunks)
    page.set_input_files("#upload-files", str(big))
    status = page.locator(".upload-item .upload-status")
    page.wait_for_function("document.querySelector('.upload-item .upload-status').innerText.startsWith('Connection lost')")
    assert page.locator(".upload-item progress").get_attribute("value") == "80"
    page.click(".upload-item button:has-text('Pause')")
    assert status.inner_text().startswith("Paused at 80")

    page.unroute("**/api/v1/uploads/**")
    page.reload()
    assert "1 unfinished uploads" in page.locator("[data-unfinished]").inner_text()
    offsets: list[str] = []
    page.on(
        "request", lambda request: offsets.append(request.headers.get("upload-offset", "")) if request.method == "PATCH" else None
    )
    page.set_input_files("#upload-files", str(big))
    page.wait_for_selector(".upload-item.done", timeout=30_000)
    assert offsets == [str(8 * 1024 * 1024)], "after the reload only the missing chunk was sent"
    stored = version.files.get(name="scan.bin")
    assert stored.sha256 == hashlib.sha256(big.read_bytes()).hexdigest()

    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("tables/a.csv", "x,y\n1,2\n")
        archive.writestr("notes.txt", "unpacked")
    page.check("input[name=zip-handling][value=unpack]")
    page.set_input_files("#upload-files", str(bundle))
    page.wait_for_function("document.querySelectorAll('.upload-item.done').length === 2", timeout=30_000)
    page.wait_for_function("document.querySelector('#file-browser').innerText.includes('tables/')")
    assert sorted(version.files.values_list("folder", "name")) == [("", "notes.txt"), ("", "scan.bin"), ("tables", "a.csv")]
    page.context.close()
