"""Helpers for page tests: signed-in clients in a language, visible text, and a form's fields as a browser would send them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from django.test import Client


def client_for(user: Any = None, language: str = "en") -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    return client


def text_of(response: Any) -> str:
    """The page's visible text, whitespace collapsed (scripts, styles and templates left out)."""
    body = re.sub(r"<(script|style|template)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


class _FormReader(HTMLParser):
    """Collects the successful controls of one form, as a browser submits them (templates skipped)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.in_template = 0
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False  # a multiple select sends nothing when nothing is chosen
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and attributes.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.in_template += 1
        if self.in_template or "disabled" in attributes:
            return
        if tag == "option" and self._select is not None:
            self._option(attributes)
        elif attributes.get("name"):
            self._control(tag, attributes["name"], attributes)

    def _control(self, tag: str, name: str, attributes: dict[str, str]) -> None:
        if tag == "input":
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, attributes.get("value", "")))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = name, None, "multiple" in attributes
        elif tag == "textarea":
            self._textarea, self._text = name, []

    def _option(self, attributes: dict[str, str]) -> None:
        value = attributes.get("value", "")
        if self._select_first is None:
            self._select_first = value
        if "selected" in attributes and self._select is not None:
            self.fields.append((self._select, value))
            self._select_chosen = True

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "template":
            self.in_template -= 1
        elif tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def form_fields(response: Any, form_id: str) -> dict[str, Any]:
    """The form's fields as a browser would post them; repeated names become lists."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    found: dict[str, Any] = {}
    for name, value in reader.fields:
        if name in found:
            found[name] = [*(found[name] if isinstance(found[name], list) else [found[name]]), value]
        else:
            found[name] = value
    return found
