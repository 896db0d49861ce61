"""Template filters for bilingual records and small display rules."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


def _english() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def org_name(organisation: Any) -> str:
    """The organisation's name in the page's language, else in the other one."""
    if organisation is None:
        return ""
    return str(organisation.display_name(get_language() or ""))


@register.filter
def org_other_name(organisation: Any) -> str:
    """The name in the other language, when it exists and differs (shown as a subtitle)."""
    other = organisation.name_zh if _english() else organisation.name_en
    return other if other and other != org_name(organisation) else ""


@register.filter
def org_description(organisation: Any) -> str:
    """The description in the page's language, else in the other one."""
    first, second = (
        (organisation.description_en, organisation.description_zh)
        if _english()
        else (organisation.description_zh, organisation.description_en)
    )
    return str(first or second)


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if mapping else None
