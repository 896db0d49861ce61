"""Template filters for dataset pages: titles and names in the page's language, creators, sizes."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sciport.datasets.files import previews
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


@register.filter
def previewable(file: Any) -> bool:
    """Whether the file gets a preview (a table, JSON, text, markdown, an image or a PDF of a sensible size)."""
    return previews.kind_of(file.media_type, file.size) != "none"


COLUMN_TYPES = {"int": _("whole numbers"), "float": _("decimal numbers"), "date": _("dates"), "text": _("text")}


@register.filter
def column_type(code: str) -> str:
    """The type a preview found in a table column, in words."""
    return str(COLUMN_TYPES.get(code, code))
