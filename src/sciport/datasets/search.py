"""Published datasets in the search index (``sciport.core.search``), one document per concept.

The document of a concept is its newest published version (the one its identifier
resolves to): titles, descriptions, keywords, creators and subjects, with the facet
values below. Private datasets are never indexed; restricted and embargoed ones are
(their metadata is public). The lifecycle calls ``reindex_after_commit`` whenever a
concept's newest published version or its metadata changes; ``index_concept`` then
indexes what is current, or takes the concept out when nothing is published any more.

Facets hold one value each (the index stores text facets): the first field of science
(else the first subject), the first licence and the most common file type.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sciport.accounts.models import Organisation
from sciport.core import search
from sciport.core.errors import FieldError, ValidationFailed
from sciport.datasets import licences, taxonomy
from sciport.datasets.models import AccessLevel, Dataset, DatasetFile, DatasetVersion
from sciport.datasets.selectors import versions as selectors

KIND = "dataset"
FACETS = ("organisation", "subject", "licence", "year", "access", "file_type")
_CJK = re.compile(r"[\u3400-\u9fff]")


# --- documents ----------------------------------------------------------------------------------------------------


def _texts(metadata: dict[str, Any], key: str, field: str) -> list[str]:
    entries = metadata.get(key) or []
    return [str(entry.get(field) or "") for entry in entries if isinstance(entry, dict) and entry.get(field)]


def _by_script(texts: Iterable[str]) -> tuple[str, str]:
    """Chinese texts and the others apart, so each lands in its language's body."""
    chinese: list[str] = []
    other: list[str] = []
    for text in texts:
        (chinese if _CJK.search(text) else other).append(text)
    return "\n".join(chinese), "\n".join(other)


def _people(metadata: dict[str, Any]) -> list[str]:
    names = []
    for person in (metadata.get("creators") or []) + (metadata.get("contributors") or []):
        if isinstance(person, dict):
            names.append(str(person.get("name") or ""))
            names.extend(_texts(person, "affiliation", "name"))
    return [name for name in names if name]


def _fields_of_science(metadata: dict[str, Any]) -> list[str]:
    labels = []
    for code in metadata.get("fieldOfScience") or []:
        found = taxonomy.field_of_science(str(code))
        if found is not None:
            labels.extend([found.zh, found.en])
    return labels


def _subject(metadata: dict[str, Any]) -> str:
    codes = [str(code) for code in metadata.get("fieldOfScience") or []]
    return codes[0] if codes else next(iter(_texts(metadata, "subjects", "subject")), "")


def _licence(metadata: dict[str, Any]) -> str:
    rights = metadata.get("rightsList") or []
    for entry in rights if isinstance(rights, list) else []:
        if isinstance(entry, dict) and entry.get("rightsIdentifier"):
            known = licences.licence(str(entry["rightsIdentifier"]))
            return known.spdx_id if known else str(entry["rightsIdentifier"])
    return ""


def file_type(name: str, media_type: str) -> str:
    """A file's type as readers name it: its extension, else its media type."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem and 0 < len(extension) <= 10 else media_type.lower()


def _main_file_type(version: DatasetVersion) -> str:
    counts = Counter(
        file_type(name, media) for name, media in DatasetFile.objects.filter(version=version).values_list("name", "media_type")
    )
    counts.pop("", None)
    return min(counts, key=lambda kind: (-counts[kind], kind)) if counts else ""


def version_document(version: DatasetVersion) -> search.Document:
    """The index entry of a concept whose newest published version is ``version``."""
    metadata = version.metadata or {}
    descriptions_zh, descriptions_en = _by_script(
        [*_texts(metadata, "descriptions", "description"), *_texts(metadata, "keywords", "value")]
    )
    subjects_zh, subjects_en = _by_script([*_texts(metadata, "subjects", "subject"), *_fields_of_science(metadata)])
    people_zh, people_en = _by_script(_people(metadata))
    return search.Document(
        kind=KIND,
        key=version.dataset.public_id,
        visibility=search.PUBLIC,
        organisation=version.organisation.public_id,
        title_zh=version.title_zh,
        title_en=version.title_en,
        body_zh="\n".join(filter(None, [descriptions_zh, subjects_zh, people_zh])),
        body_en="\n".join(filter(None, [descriptions_en, subjects_en, people_en, version.pid])),
        facets={
            "organisation": version.organisation.public_id,
            "subject": _subject(metadata),
            "licence": _licence(metadata),
            "year": str(metadata.get("publicationYear") or (version.published_at.year if version.published_at else "")),
            "access": version.access_level,
            "file_type": _main_file_type(version),
        },
        updated_at=version.published_at,
    )


def _indexable(dataset: Dataset) -> DatasetVersion | None:
    latest = dataset.latest_published
    return latest if latest is not None and latest.access_level != AccessLevel.PRIVATE else None


def index_concept(dataset_id: int) -> None:
    """Index the concept's newest published version, or take the concept out when none may be listed."""
    dataset = (
        Dataset.objects.select_related("latest_published__organisation", "latest_published__dataset")
        .filter(pk=dataset_id)
        .first()
    )
    if dataset is None:
        return
    version = _indexable(dataset)
    if version is None:
        search.remove(KIND, dataset.public_id)
    else:
        search.index(version_document(version))


def reindex_after_commit(dataset_id: int) -> None:
    """Bring the concept's document up to date once the transaction that changed it commits."""
    transaction.on_commit(lambda: index_concept(dataset_id))


def rebuild_datasets() -> int:
    """Index every listed concept afresh; returns how many documents."""
    search.clear(KIND)
    count = 0
    listed = Dataset.objects.filter(latest_published__isnull=False).exclude(latest_published__access_level=AccessLevel.PRIVATE)
    for dataset in listed.select_related("latest_published__organisation").order_by("id").iterator(chunk_size=500):
        version = _indexable(dataset)
        if version is not None:
            version.dataset = dataset
            search.index(version_document(version))
            count += 1
    return count


search.register_rebuild("datasets", rebuild_datasets)


# --- searching ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetHit:
    version: DatasetVersion
    snippet: str
    score: float


@dataclass(frozen=True)
class DatasetResults:
    hits: list[DatasetHit]
    next_cursor: str | None
    facets: dict[str, dict[str, int]]


def dataset_search(
    user: Any,
    *,
    text: str,
    filters: dict[str, str] | None = None,
    language: str = "zh-hans",
    cursor: str | None = None,
    limit: int = 20,
) -> DatasetResults:
    """Published datasets matching the words and facet values, best first, with facet counts.

    The index holds public documents only; each hit is checked again against the versions
    the caller may see, so a document left over from a change never shows what it should not.
    """
    unknown = set(filters or {}) - set(FACETS)
    if unknown:
        raise ValidationFailed(errors=[FieldError(name, _("Unknown field.")) for name in sorted(unknown)])
    facets = {name: value for name, value in (filters or {}).items() if value}
    page = search.query(text, kinds=[KIND], facets=facets, language=language, cursor=cursor, limit=limit)
    keys = [hit.key for hit in page.hits]
    versions = {
        version.dataset.public_id: version
        for version in selectors.latest_public_versions(user)
        .exclude(access_level=AccessLevel.PRIVATE)
        .filter(dataset__public_id__in=keys)
        .select_related("dataset__community")
    }
    hits = [DatasetHit(versions[hit.key], hit.snippet, hit.score) for hit in page.hits if hit.key in versions]
    counts = search.facet_counts(text, keys=list(FACETS), kinds=[KIND], facets=facets)
    return DatasetResults(hits, page.next_cursor, counts)


def facet_label(name: str, value: str, language: str) -> str:
    """What a reader sees for a facet value (names of organisations and fields, licence titles)."""
    if name == "subject":
        found = taxonomy.field_of_science(value)
        return found.label(language) if found else value
    if name == "licence":
        known = licences.licence(value)
        return known.name if known else value
    if name == "access":
        return str(AccessLevel(value).label) if value in AccessLevel.values else value
    if name == "file_type":
        return value.upper() if "/" not in value else value
    return value


def facet_labels(facets: dict[str, dict[str, int]], language: str) -> dict[str, dict[str, str]]:
    """Labels of every counted value, organisations' names looked up at once."""
    organisations = {
        organisation.public_id: organisation.display_name(language)
        for organisation in Organisation.objects.filter(public_id__in=list(facets.get("organisation", {})))
    }
    return {
        name: {
            value: organisations.get(value, value) if name == "organisation" else facet_label(name, value, language)
            for value in counts
        }
        for name, counts in facets.items()
    }
