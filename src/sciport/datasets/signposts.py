"""FAIR Signposting (https://signposting.org/FAIR/) of a landing page: typed links to the identifier, metadata, files and licence.

The same links go out as the landing page's ``Link`` header (files capped, the rest
left to the linkset) and as a linkset (RFC 9264) in JSON or text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from sciport.datasets import jsonld
from sciport.datasets.models import DatasetVersion, VersionState
from sciport.datasets.selectors import access
from sciport.datasets.views import presenting

HEADER_ITEMS = 20  # beyond this many files the header points to the linkset for the items
LINKSET_ITEMS = 5000
DATACITE_JSON = "application/vnd.datacite.datacite+json"
DATACITE_XML = "application/vnd.datacite.datacite+xml"
LINKSET_JSON = "application/linkset+json"
LINKSET_TEXT = "application/linkset"
SCHEMA_ORG_TYPES = ("https://schema.org/Dataset", "https://schema.org/AboutPage")


@dataclass(frozen=True)
class Link:
    href: str
    rel: str
    type: str = ""

    def header_value(self, anchor: str = "") -> str:
        params = [f'rel="{self.rel}"'] + ([f'type="{self.type}"'] if self.type else [])
        params += [f'anchor="{anchor}"'] if anchor else []
        return f"<{self.href}>; " + "; ".join(params)


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def landing_url(request: HttpRequest, version: DatasetVersion) -> str:
    return base_url(request) + reverse("datasets:version", args=[version.public_id])


def _metadata_links(request: HttpRequest, version: DatasetVersion) -> list[Link]:
    base = base_url(request)
    api = f"{base}/api/v1/versions/{version.public_id}"
    return [
        Link(f"{api}/datacite.json", "describedby", DATACITE_JSON),
        Link(f"{api}/datacite.xml", "describedby", DATACITE_XML),
        Link(f"{api}/schema.org.json", "describedby", "application/ld+json"),
    ]


def _item_links(request: HttpRequest, version: DatasetVersion, most: int) -> list[Link]:
    if not most or version.state == VersionState.WITHDRAWN or not access.download_decision(request.user, version).allowed:
        return []
    marker = "00000000"
    template = base_url(request) + reverse("api:dataset_file_content", args=[marker])
    files = version.files.only("public_id", "media_type")[:most]
    return [Link(template.replace(marker, f.public_id), "item", f.media_type or "application/octet-stream") for f in files]


def links(request: HttpRequest, version: DatasetVersion, *, most_items: int) -> list[Link]:
    """Every signpost of the version's landing page, at most ``most_items`` files."""
    metadata = version.metadata if isinstance(version.metadata, dict) else {}
    pid_url = presenting.resolver_url(version.pid)
    found = [Link(pid_url, "cite-as")] if pid_url else []
    found += _metadata_links(request, version)
    found += _item_links(request, version, most_items)
    found += [Link(url, "license") for url in jsonld.licence_urls(metadata)]
    found += [Link(url, "type") for url in SCHEMA_ORG_TYPES]
    found += [Link(person.orcid_url, "author") for person in presenting.people(metadata) if person.orcid_url]
    return found


def linkset_url(request: HttpRequest, version: DatasetVersion) -> str:
    return base_url(request) + reverse("datasets:linkset", args=[version.public_id])


def header(request: HttpRequest, version: DatasetVersion) -> str:
    """The landing page's ``Link`` header; files only while there are few, the linkset always."""
    many = version.file_count > HEADER_ITEMS
    found = links(request, version, most_items=0 if many else HEADER_ITEMS)
    linkset = linkset_url(request, version)
    found += [Link(linkset, "linkset", LINKSET_JSON), Link(linkset, "linkset", LINKSET_TEXT)]
    return ", ".join(link.header_value() for link in found)


def linkset_json(request: HttpRequest, version: DatasetVersion) -> dict[str, Any]:
    """RFC 9264 JSON: the landing page's links, and each metadata record's ``describes`` back to it."""
    anchor = landing_url(request, version)
    found = links(request, version, most_items=LINKSET_ITEMS)
    context: dict[str, Any] = {"anchor": anchor}
    for link in found:
        context.setdefault(link.rel, []).append({"href": link.href, **({"type": link.type} if link.type else {})})
    described = [
        {"anchor": link.href, "describes": [{"href": anchor, "type": "text/html"}]} for link in found if link.rel == "describedby"
    ]
    return {"linkset": [context, *described]}


def linkset_text(request: HttpRequest, version: DatasetVersion) -> str:
    """RFC 9264 ``application/linkset``: the same links as header values with their anchor, one per line."""
    anchor = landing_url(request, version)
    found = links(request, version, most_items=LINKSET_ITEMS)
    lines = [link.header_value(anchor) for link in found]
    lines += [Link(anchor, "describes", "text/html").header_value(link.href) for link in found if link.rel == "describedby"]
    return ",\n".join(lines) + "\n"
