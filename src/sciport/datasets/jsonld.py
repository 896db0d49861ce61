"""schema.org ``Dataset`` JSON-LD of a version, as Google Dataset Search and other crawlers read it from the landing page.

Built from the DataCite metadata and the file rows; kept in a small per-process cache
keyed by what changes it (the version's last change, its files, whether the public may
download), since a published version's page is read far more often than it changes.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from sciport.datasets import citations
from sciport.datasets import licences as spdx
from sciport.datasets.models import AccessLevel, DatasetFile, DatasetVersion, VersionState
from sciport.datasets.selectors import access
from sciport.datasets.views import presenting

CACHE_SIZE = 256
_cache: OrderedDict[tuple[Any, ...], str] = OrderedDict()


def _creator(person: presenting.Person, name: citations.Name, row: dict[str, Any]) -> dict[str, Any]:
    kind = "Organization" if name.literal and row.get("nameType") == "Organizational" else "Person"
    node: dict[str, Any] = {"@type": kind, "name": citations.full_name(name) or person.name}
    if person.orcid_url:
        node["@id"] = person.orcid_url
    if kind == "Person":
        node |= {
            key: str(row[source]) for key, source in (("givenName", "givenName"), ("familyName", "familyName")) if row.get(source)
        }
    if person.affiliations:
        node["affiliation"] = [
            {"@type": "Organization", "name": a.name, **({"@id": a.ror_url} if a.ror_url else {})} for a in person.affiliations
        ]
    return node


def _creators(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [row for row in metadata.get("creators") or [] if isinstance(row, dict)]
    names = [
        name
        for name, row in zip(citations.names_of(metadata), metadata.get("creators") or [], strict=False)
        if isinstance(row, dict)
    ]
    return [_creator(*each) for each in zip(presenting.people(metadata), names, rows, strict=False)]


def licence_urls(metadata: dict[str, Any]) -> list[str]:
    """SPDX URLs (``https://spdx.org/licenses/CC-BY-4.0``) where the identifier is known, else the rights URL."""
    found = []
    for item in presenting.licences(metadata):
        known = spdx.licence(item.identifier) if item.identifier else None
        url = f"{spdx.SPDX_SCHEME_URI}{known.spdx_id}" if known else item.url
        if url:
            found.append(url)
    return found


def _funders(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    funders = []
    for row in presenting.funding(metadata):
        if not row.get("funderName"):
            continue
        node: dict[str, Any] = {"@type": "Organization", "name": row["funderName"]}
        if row.get("funderIdentifier", "").startswith("http"):
            node["@id"] = row["funderIdentifier"]
        funders.append(node)
    return funders


def _places(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    places = []
    for row in metadata.get("geoLocations") or []:
        if not isinstance(row, dict):
            continue
        node: dict[str, Any] = {"@type": "Place"}
        if row.get("geoLocationPlace"):
            node["name"] = str(row["geoLocationPlace"])
        point = row.get("geoLocationPoint")
        if isinstance(point, dict) and point.get("pointLatitude") not in (None, ""):
            node["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": point["pointLatitude"],
                "longitude": point.get("pointLongitude"),
            }
        box = row.get("geoLocationBox")
        if isinstance(box, dict) and box.get("southBoundLatitude") not in (None, ""):
            corners = [
                box.get(k) for k in ("southBoundLatitude", "westBoundLongitude", "northBoundLatitude", "eastBoundLongitude")
            ]
            node["geo"] = {"@type": "GeoShape", "box": " ".join(str(c) for c in corners)}
        if len(node) > 1:
            places.append(node)
    return places


def _articles(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """Related publications (the dataset is cited by, supplements or is described by them)."""
    relations = {"IsCitedBy", "IsSupplementTo", "IsDescribedBy", "IsReferencedBy", "IsDocumentedBy"}
    rows = [row for row in metadata.get("relatedIdentifiers") or [] if isinstance(row, dict)]
    found = []
    for row, related in zip(rows, presenting.related_identifiers(metadata), strict=False):
        if row.get("relationType") in relations and related.url:
            found.append({"@type": "ScholarlyArticle", "@id": related.url, "identifier": related.identifier})
    return found


def _distribution(files: list[DatasetFile], base_url: str) -> list[dict[str, Any]]:
    marker = "00000000"
    template = base_url + reverse("api:dataset_file_content", args=[marker])
    return [
        {
            "@type": "DataDownload",
            "name": file.path,
            "contentUrl": template.replace(marker, file.public_id),
            "encodingFormat": file.media_type or "application/octet-stream",
            "contentSize": f"{file.size} B",
            "sha256": file.sha256,
        }
        for file in files
    ]


def publicly_downloadable(version: DatasetVersion) -> bool:
    return access.download_decision(AnonymousUser(), version).allowed


def build(version: DatasetVersion, base_url: str, language: str, *, downloadable: bool) -> dict[str, Any]:
    metadata = version.metadata if isinstance(version.metadata, dict) else {}
    dataset = version.dataset
    landing = base_url + reverse("datasets:version", args=[version.public_id])
    pid_url = presenting.resolver_url(version.pid)
    other_language = "zh" if presenting.is_english(language) else "en"
    node: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": pid_url or landing,
        "name": version.display_title(language),
        "alternateName": version.display_title(other_language),
        "description": presenting.description(metadata, language) or version.display_title(language),
        "identifier": [url for url in (pid_url, version.pid) if url],
        "url": landing,
        "version": str(version.version_number),
        "creator": _creators(metadata),
        "publisher": {"@type": "Organization", "name": presenting.publisher(metadata)},
        "license": licence_urls(metadata),
        "keywords": presenting.keywords(metadata, language) + [s for s, _ in presenting.subjects(metadata)],
        "isAccessibleForFree": version.access_level in (AccessLevel.OPEN, AccessLevel.EMBARGOED),
        "conditionsOfAccess": str(AccessLevel(version.access_level).label),
        "spatialCoverage": _places(metadata),
        "funder": _funders(metadata),
        "citation": _articles(metadata),
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": "sciport Science Data Bank",
            "url": base_url + reverse("datasets:list"),
        },
        "sameAs": presenting.resolver_url(dataset.concept_pid),
        "isPartOf": {"@type": "Dataset", "@id": presenting.resolver_url(dataset.concept_pid)},
    }
    if version.published_at:
        node["datePublished"] = version.published_at.date().isoformat()
    node["dateModified"] = version.updated_at.date().isoformat()
    if version.state == VersionState.WITHDRAWN:
        node["creativeWorkStatus"] = "Withdrawn"
    elif downloadable:
        files = list(version.files.only("public_id", "folder", "name", "size", "sha256", "media_type"))
        node["distribution"] = _distribution(files, base_url)
    return {
        key: value
        for key, value in node.items()
        if value not in ("", [], None) and value != {"@type": "Organization", "name": ""}
    }


def script(version: DatasetVersion, base_url: str, language: str) -> str:
    """The JSON text for ``<script type="application/ld+json">`` (``<`` escaped so it cannot end the script)."""
    downloadable = publicly_downloadable(version)
    key = (
        version.pk,
        version.updated_at,
        version.state,
        version.file_count,
        version.total_bytes,
        base_url,
        language,
        downloadable,
    )
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return cached
    text = json.dumps(build(version, base_url, language, downloadable=downloadable), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    _cache[key] = text
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return text
