"""The metadata formats a record is disseminated in, rendered once per datestamp and kept in ``OaiRecord``.

Both formats come from the version's DataCite JSON (``metadata_export.to_datacite``): Dublin Core
for every harvester, and the DataCite kernel wrapped in the ``oai_datacite`` envelope for those
that read the full record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from datacite import schema45
from django.conf import settings
from django.urls import reverse
from lxml import etree

from sciport.datasets.metadata_export import to_datacite
from sciport.datasets.models import DatasetVersion, OaiRecord

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
OAI_DATACITE = "http://schema.datacite.org/oai/oai-1.1/"


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str


FORMATS = {
    "oai_dc": MetadataFormat("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC),
    "oai_datacite": MetadataFormat("oai_datacite", "http://schema.datacite.org/oai/oai-1.1/oai.xsd", OAI_DATACITE),
}


def fragments(rows: Iterable[tuple[int, dt.datetime]], prefix: str) -> dict[int, str]:
    """The ``prefix`` metadata of each (version pk, datestamp): from the cache, or rendered and cached when stale."""
    wanted = dict(rows)
    cached = OaiRecord.objects.filter(version_id__in=wanted).values_list("version_id", "datestamp", prefix)
    found = {pk: fragment for pk, stamp, fragment in cached if stamp == wanted[pk]}
    stale = [pk for pk in wanted if pk not in found]
    if stale:
        fresh = [_record(version) for version in DatasetVersion.objects.filter(pk__in=stale).select_related("dataset")]
        OaiRecord.objects.bulk_create(
            fresh, update_conflicts=True, unique_fields=["version"], update_fields=["datestamp", "oai_dc", "oai_datacite"]
        )
        found.update((record.version_id, getattr(record, prefix)) for record in fresh)
    return found


def _record(version: DatasetVersion) -> OaiRecord:
    datacite = to_datacite(version)
    landing = settings.SITE_URL + reverse("datasets:version", args=[version.public_id])
    return OaiRecord(
        version_id=version.pk,
        datestamp=version.updated_at,
        oai_dc=_text(dublin_core(datacite, landing)),
        oai_datacite=_text(oai_datacite(datacite)),
    )


def _text(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")


def oai_datacite(datacite: dict[str, Any]) -> etree._Element:
    """The DataCite 4.5 resource inside the ``oai_datacite`` envelope (schema version, data centre, payload)."""
    envelope = etree.Element(f"{{{OAI_DATACITE}}}oai_datacite", nsmap={None: OAI_DATACITE, "xsi": XSI})
    envelope.set(f"{{{XSI}}}schemaLocation", f"{OAI_DATACITE} {FORMATS['oai_datacite'].schema}")
    etree.SubElement(envelope, f"{{{OAI_DATACITE}}}schemaVersion").text = "4.5"
    etree.SubElement(envelope, f"{{{OAI_DATACITE}}}datacentreSymbol").text = settings.DATACITE_USER or "SCIPORT"
    etree.SubElement(envelope, f"{{{OAI_DATACITE}}}payload").append(schema45.dump_etree(datacite))
    return envelope


def dublin_core(datacite: dict[str, Any], landing_url: str) -> etree._Element:
    """Unqualified Dublin Core of a DataCite record, mapped as DataCite's own OAI provider does."""
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {FORMATS['oai_dc'].schema}")
    for name, value, lang in (*_described(datacite), *_administered(datacite, landing_url)):
        if value:
            element = etree.SubElement(root, f"{{{DC}}}{name}")
            element.text = str(value)
            if lang:
                element.set(XML_LANG, lang)
    return root


DublinCore = Iterator[tuple[str, Any, str | None]]


def _described(datacite: dict[str, Any]) -> DublinCore:
    """What the record is about: titles, people, subjects, descriptions."""
    for field, key, element in (
        ("titles", "title", "title"),
        ("creators", "name", "creator"),
        ("contributors", "name", "contributor"),
        ("subjects", "subject", "subject"),
        ("descriptions", "description", "description"),
    ):
        for entry in datacite.get(field, []):
            yield element, entry.get(key), entry.get("lang")


def _administered(datacite: dict[str, Any], landing_url: str) -> DublinCore:
    """Who published it when, what kind it is, where it lives, under which rights."""
    publisher = datacite.get("publisher")
    yield "publisher", publisher.get("name") if isinstance(publisher, dict) else publisher, None
    yield "date", datacite.get("publicationYear"), None
    for date in datacite.get("dates", []):
        if date.get("dateType") in ("Issued", "Available"):
            yield "date", f"info:eu-repo/date/{date['dateType'].lower()}/{date.get('date')}", None
    types = datacite.get("types", {})
    yield "type", types.get("resourceTypeGeneral"), None
    yield "type", types.get("resourceType"), None
    yield "identifier", f"https://doi.org/{datacite['doi']}" if datacite.get("doi") else None, None
    for alternate in datacite.get("alternateIdentifiers", []):
        yield "identifier", alternate.get("alternateIdentifier"), None
    yield "identifier", landing_url, None
    for rights in datacite.get("rightsList", []):
        yield "rights", rights.get("rightsUri"), None
        yield "rights", rights.get("rights"), rights.get("lang")
    yield "language", datacite.get("language"), None
    for relation in datacite.get("relatedIdentifiers", []):
        yield "relation", relation.get("relatedIdentifier"), None
    for media_type in datacite.get("formats", []):
        yield "format", media_type, None
