"""The landing page's list of metadata exports, each a label and the API URL that answers it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from sciport.datasets.models import DatasetVersion, PrivateLink

# (label, route under /api/v1/versions/<id>/); labels are format names, the same in every language.
FORMATS = (
    ("DataCite XML", "datacite.xml"),
    ("DataCite JSON", "datacite.json"),
    ("DCAT (JSON-LD)", "dcat.jsonld"),
    ("DCAT (Turtle)", "dcat.ttl"),
    ("Croissant", "croissant.json"),
    ("RO-Crate", "ro-crate-metadata.json"),
    ("RO-Crate (ZIP)", "ro-crate.zip"),
)


@dataclass(frozen=True)
class ExportLink:
    label: str
    url: str


def export_links(version: DatasetVersion, link: PrivateLink | None = None) -> list[ExportLink]:
    """None through a reviewer's private link: the exports answer only those who see the version themselves."""
    if link is not None:
        return []
    base = reverse("api:dataset_version_dcat_jsonld", args=[version.public_id]).removesuffix("dcat.jsonld")
    return [ExportLink(label, f"{base}{route}") for label, route in FORMATS]
