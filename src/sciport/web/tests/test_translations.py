"""Every message of the zh-Hans catalogue is translated, and pages come out in the language asked for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client

CATALOGUES = sorted((Path(settings.BASE_DIR) / "locale").glob("*/LC_MESSAGES/*.po"))
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")


def _messages(path: Path) -> list:
    with path.open("rb") as po_file:
        return [message for message in read_po(po_file) if message.id]


def test_there_is_a_simplified_chinese_catalogue():
    assert any(path.parts[-3] == "zh_Hans" and path.name == "django.po" for path in CATALOGUES)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: "/".join(path.parts[-3:]))
def test_every_message_is_translated_and_none_is_fuzzy(path):
    untranslated = []
    fuzzy = []
    for message in _messages(path):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"run makemessages and translate these in {path.name}: {untranslated}"
    assert not fuzzy, f"check and unmark these fuzzy entries: {fuzzy}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: "/".join(path.parts[-3:]))
def test_translations_keep_every_placeholder(path):
    broken = []
    for message in _messages(path):
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(set(PLACEHOLDER.findall(source)) - {"%(counter)s"})
        for string in strings:
            found = sorted(set(PLACEHOLDER.findall(string)) - {"%(counter)s"})
            if string and found != wanted:
                broken.append((source, string))
    assert not broken


def _page(path: str, language: str) -> str:
    client = Client()
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "chinese", "english"),
    [
        ("/", "科技服务开放平台", "Open platform for science and technology services"),
        ("/organisations/", "机构名录", "Directory of organisations"),
        ("/about/vouchers/", "科技创新券", "Innovation vouchers"),
        ("/accounts/login/", "登录", "Sign In"),
        ("/accounts/signup/", "注册", "Sign Up"),
    ],
)
def test_pages_render_in_chinese_and_in_english(path, chinese, english):
    in_chinese = _page(path, "zh-hans")
    in_english = _page(path, "en")
    assert chinese in in_chinese
    assert english in in_english
    assert len(CJK.findall(in_chinese)) > 20, "a Chinese page is mostly Chinese"
    assert english not in in_chinese
    assert chinese not in in_english


@pytest.mark.django_db
def test_dashboard_and_notification_templates_follow_the_language(make_user, make_organisation):
    from sciport.accounts import services

    user = make_user(language="zh-hans")
    organisation = make_organisation(user, name_zh="申城大学")
    services.organisation_verify(actor=make_user(staff=True), organisation=organisation, approve=True)
    client = Client()
    client.force_login(user)
    text = client.get("/dashboard/").content.decode()
    assert "机构管理" in text
    assert "“申城大学”已通过认证" in text, "the notification was rendered in the person's language"
