"""Template filters for dataset pages: titles and names in the page's language, creators, sizes."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from sciport.datasets.views import presenting

register = template.Library()


@register.filter
def version_title(version: Any) -> str:
    """The version's title in the page's language, else in the other one."""
    return str(version.display_title(get_language() or "")) if version is not None else ""


@register.filter
def community_name(community: Any) -> str:
    return str(community.display_name(get_language() or "")) if community is not None else ""


@register.filter
def creators(metadata: dict[str, Any]) -> str:
    return presenting.creator_names(metadata)


@register.filter
def described(metadata: dict[str, Any]) -> str:
    """The abstract in the page's language."""
    return presenting.description(metadata, get_language() or "")
