"""A version as the exports see it: titles and texts by language, people with ORCID and ROR, licence, files with URLs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from sciport.datasets import taxonomy
from sciport.datasets.models import DatasetFile, DatasetVersion, VersionState
from sciport.datasets.views import presenting


@dataclass(frozen=True)
class Text:
    value: str
    lang: str


@dataclass(frozen=True)
class Theme:
    code: str
    labels: tuple[Text, ...]


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Record:
    """What every export says of a version; URLs are absolute, under ``settings.SITE_URL``."""

    version: DatasetVersion
    identifier: str
    identifier_url: str
    landing_url: str
    titles: tuple[Text, ...]
    descriptions: tuple[Text, ...]
    keywords: tuple[Text, ...]
    creators: tuple[presenting.Person, ...]
    publisher: str
    licence_url: str
    licence_name: str
    themes: tuple[Theme, ...]
    places: tuple[Place, ...]
    issued: datetime | None
    modified: datetime
    citation: str
    with_files: bool = field(default=True)

    @property
    def title(self) -> str:
        return self.version.display_title("en")

    @property
    def description(self) -> str:
        english = [text.value for text in self.descriptions if text.lang.startswith("en")]
        return (english or [text.value for text in self.descriptions] or [self.title])[0]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _texts(rows: list[dict[str, Any]], key: str) -> tuple[Text, ...]:
    return tuple(Text(str(row[key]), str(row.get("lang") or "")) for row in rows if row.get(key))


def _rows(metadata: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = metadata.get(key)
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _places(metadata: dict[str, Any]) -> tuple[Place, ...]:
    found = []
    for row in _rows(metadata, "geoLocations"):
        found_point = row.get("geoLocationPoint")
        point: dict[str, Any] = found_point if isinstance(found_point, dict) else {}
        place = Place(
            str(row.get("geoLocationPlace") or ""), _number(point.get("pointLatitude")), _number(point.get("pointLongitude"))
        )
        if place.name or place.latitude is not None:
            found.append(place)
    return tuple(found)


def _themes(metadata: dict[str, Any]) -> tuple[Theme, ...]:
    codes = metadata.get("fieldOfScience")
    found = [taxonomy.field_of_science(str(code)) for code in (codes if isinstance(codes, list) else [])]
    return tuple(Theme(f.code, (Text(f.en, "en"), Text(f.zh, "zh"))) for f in found if f is not None)


def describe(version: DatasetVersion) -> Record:
    metadata = version.metadata if isinstance(version.metadata, dict) else {}
    licences = presenting.licences(metadata)
    abstracts = [row for row in _rows(metadata, "descriptions") if row.get("descriptionType", "Abstract") == "Abstract"]
    return Record(
        version=version,
        identifier=version.pid or version.public_id,
        identifier_url=presenting.resolver_url(version.pid) if version.pid else "",
        landing_url=absolute(reverse("datasets:version", args=[version.public_id])),
        titles=_texts(_rows(metadata, "titles"), "title"),
        descriptions=_texts(abstracts, "description"),
        keywords=_texts(_rows(metadata, "keywords"), "value"),
        creators=tuple(presenting.people(metadata)),
        publisher=presenting.publisher(metadata),
        licence_url=licences[0].url if licences else "",
        licence_name=licences[0].name if licences else "",
        themes=_themes(metadata),
        places=_places(metadata),
        issued=version.published_at,
        modified=version.updated_at,
        citation=presenting.citation(version, "en"),
        with_files=version.state != VersionState.WITHDRAWN,
    )


def files_of(record: Record) -> Iterator[DatasetFile]:
    """The version's file rows by path; none for a withdrawn version (a tombstone keeps only its record)."""
    if not record.with_files:
        return iter(())
    fields = ("public_id", "folder", "name", "size", "sha256", "md5", "media_type", "blob_name", "created_at")
    return record.version.files.only(*fields).order_by("folder", "name").iterator(chunk_size=2000)


class _DownloadUrls:
    """The content URL of every file, reversed once."""

    _MARKER = "fil_marker"

    def __init__(self) -> None:
        self._template = absolute(reverse("api:dataset_file_content", args=[self._MARKER]))

    def __call__(self, file: DatasetFile) -> str:
        return self._template.replace(self._MARKER, file.public_id)


def download_urls() -> _DownloadUrls:
    return _DownloadUrls()
