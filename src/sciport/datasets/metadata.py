"""Dataset metadata: DataCite 4.5 JSON plus sciport's own keys, validated field by field.

Stored metadata is the DataCite JSON the ``datacite`` package validates, plus
``keywords`` (``[{value, lang}]``), ``fieldOfScience`` (codes of ``taxonomy``) and
``dataAvailability`` (``[{statement, lang}]``). Drafts are checked for form only, so
work can be saved half done; submission asks for everything a citation needs.
The rules are data in ``metadata_schema``; the DataCite export is ``metadata_export``.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from sciport.core.errors import FieldError, ValidationFailed
from sciport.datasets import metadata_schema
from sciport.datasets.metadata_export import datacite_body, schema_errors, to_datacite, to_xml

__all__ = ["missing_for_publication", "titles", "to_datacite", "to_xml", "validate"]

_CJK = re.compile(r"[\u3400-\u9fff]")


def validate(raw: dict[str, Any]) -> dict[str, Any]:
    """Return the metadata to store (identifiers normalised), or raise ``ValidationFailed`` naming each bad field."""
    cleaned, errors = metadata_schema.check(raw, complete=False)
    if errors:
        raise ValidationFailed(errors=errors)
    return dict(cleaned)


def titles(metadata: dict[str, Any]) -> tuple[str, str]:
    """The Chinese and the English title, for lists and pages; an untagged title in Chinese script counts as Chinese."""
    by_language: dict[str, str] = {}
    main_first = sorted(_entries(metadata, "titles"), key=lambda title: bool(title.get("titleType")))
    for title in main_first:
        text = str(title.get("title") or "")
        language = str(title.get("lang") or ("zh" if _CJK.search(text) else "en")).lower()
        if text:
            by_language.setdefault("zh" if language.startswith("zh") else "en", text)
    return by_language.get("zh", ""), by_language.get("en", "")


def missing_for_publication(metadata: dict[str, Any]) -> list[FieldError]:
    """Everything a version must still have before it can be submitted, each at its JSON path."""
    cleaned, found = metadata_schema.check(metadata, complete=True)
    errors = _missing_essentials(cleaned if isinstance(cleaned, dict) else {})
    reported = {error.field for error in errors}
    errors += [error for error in found if not any(_inside(error.field, parent) for parent in reported)]
    if not errors:
        # A safety net under our own rules: the package's schema has the last word.
        errors = schema_errors(datacite_body(cleaned))
    return errors


def _entries(metadata: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = metadata.get(key)
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _has(metadata: dict[str, Any], key: str, field: str) -> bool:
    return any(isinstance(entry.get(field), str) and entry[field].strip() for entry in _entries(metadata, key))


def _inside(path: str, parent: str) -> bool:
    return path == parent or path.startswith((f"{parent}.", f"{parent}["))


def _missing_essentials(metadata: dict[str, Any]) -> list[FieldError]:
    publisher = metadata.get("publisher")
    types = metadata.get("types")
    licensed = any(
        entry.get("rightsIdentifierScheme") == "SPDX" and entry.get("rightsIdentifier")
        for entry in _entries(metadata, "rightsList")
    )
    checks = [
        ("titles", _has(metadata, "titles", "title"), _("Give the dataset a title.")),
        ("creators", _has(metadata, "creators", "name"), _("Name at least one creator.")),
        ("publisher", isinstance(publisher, dict) and bool(publisher.get("name")), _("Name the publisher.")),
        ("publicationYear", bool(metadata.get("publicationYear")), _("Give the year of publication.")),
        (
            "types.resourceTypeGeneral",
            isinstance(types, dict) and bool(types.get("resourceTypeGeneral")),
            _("Choose the type of resource, for example Dataset."),
        ),
        ("rightsList", licensed, _("Choose a licence by its SPDX id, for example CC-BY-4.0.")),
        ("descriptions", _has(metadata, "descriptions", "description"), _("Describe the dataset.")),
        (
            "fieldOfScience",
            bool(metadata.get("fieldOfScience")) or _has(metadata, "subjects", "subject"),
            _("Choose a field of science or give a subject."),
        ),
    ]
    return [FieldError(field, message) for field, present, message in checks if not present]
