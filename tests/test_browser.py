"""A real browser: sign in through the form, switch language and organisation, photograph the home page.

Drives Debian's Chromium through Playwright (no browser download). ``SCIPORT_SCREENSHOT=1``
also writes ``docs/screenshot-home.png`` for the README; CI leaves the repository alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import required_services

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshot-home.png"
VIEWPORT = {"width": 1280, "height": 800}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if "browser" in required_services():
            pytest.fail(
                f"SCIPORT_TEST_REQUIRE has browser but {CHROMIUM} is missing (apt-get install chromium fonts-wqy-microhei)"
            )
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-wqy-microhei)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which makes Django
    # refuse ORM calls from the test body; allow them for this module only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo_directory(transactional_db: None) -> dict[str, Any]:
    """The demo organisations, and a researcher who belongs to two of them."""
    from sciport.accounts import demo
    from sciport.accounts.models import Organisation
    from sciport.core.permissions import Role

    demo.load()
    return {
        "first": Organisation.objects.get(name_en="Shencheng University"),
        "second": Organisation.objects.get(name_en="Donghai Institute of Advanced Materials"),
        "member_role": Role.MEMBER,
    }


def test_sign_in_switch_language_and_organisation(browser, live_server, demo_directory, make_user, add_role):
    from sciport.testing.fixtures import PASSWORD

    user = make_user("browser.user@example.org", language="zh-hans")
    add_role(user, demo_directory["first"], demo_directory["member_role"])
    add_role(user, demo_directory["second"], demo_directory["member_role"])

    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.locator("h1").inner_text() == "工作台"
    assert "科研与数据" in page.locator("main").inner_text()

    page.click(".lang-switch button")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Dashboard"
    assert "Research and data" in page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"

    page.click(".lang-switch button")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "工作台"
    assert "Research and data" not in page.locator("main").inner_text()

    assert "申城大学" in page.locator(".page-header").inner_text()
    page.select_option("#org-switch-select", demo_directory["second"].public_id)
    page.click(".org-switch button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert "东海先进材料研究所" in page.locator(".page-header").inner_text()
    assert page.locator("#org-switch-select").input_value() == demo_directory["second"].public_id
    context.close()


def test_home_page_renders_and_is_photographed_on_request(browser, live_server, demo_directory):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    assert "科研数据、仪器与专业能力" in page.locator("h1").inner_text()
    assert page.locator(".hero-panel .stat-total").inner_text().strip() == "9"
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "WenQuanYi Micro Hei" in font
    if os.environ.get("SCIPORT_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        assert SCREENSHOT.stat().st_size < 300_000
    context.close()


def test_marking_a_notification_read_swaps_the_entry_and_the_badge(browser, live_server, demo_directory, make_user):
    from sciport.notifications.services import notify
    from sciport.testing.fixtures import PASSWORD

    user = make_user("reader@example.org", language="en")
    for number in range(2):
        notify(
            kind="system.task_failed", context={"task_path": f"job.{number}", "attempts": 5, "error": "boom"}, recipients=[user]
        )

    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/notifications/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert page.locator("#unread-badge").inner_text().strip() == "2"
    page.locator(".inbox-item.unread button").first.click()
    page.wait_for_function("document.querySelector('#unread-badge').innerText.trim() === '1'")
    # The badge (out-of-band) and the entry are swapped in separate steps; wait for both.
    page.wait_for_function("document.querySelectorAll('.inbox-item.unread').length === 1")
    assert page.url == f"{live_server.url}/notifications/", "htmx swapped the entry in place"
    assert page.locator(".inbox-item.unread").count() == 1
    context.close()
