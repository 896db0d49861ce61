"""What pages show of a version's DataCite metadata: names with their identifiers, texts in the reader's language, a citation.

Metadata is stored as DataCite JSON; these helpers read it defensively (a draft may be
half filled) and never change it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sciport.datasets import licences as spdx
from sciport.datasets import pids, taxonomy
from sciport.datasets.models import DatasetVersion
from sciport.datasets.views import vocabularies

RELATIONS = dict(vocabularies.RELATION_TYPES)
DATE_KINDS = dict(vocabularies.DATE_TYPES)
ROLES = dict(vocabularies.CONTRIBUTOR_TYPES)
ORCID_PREFIX = "https://orcid.org/"
ROR_PREFIX = "https://ror.org/"


@dataclass(frozen=True)
class Affiliation:
    name: str
    ror_url: str = ""


@dataclass(frozen=True)
class Person:
    name: str
    orcid_url: str = ""
    role: str = ""
    affiliations: list[Affiliation] = field(default_factory=list)


def _rows(metadata: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = metadata.get(key) if isinstance(metadata, dict) else None
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def is_english(language: str) -> bool:
    return language.startswith("en")


def in_language(rows: list[dict[str, Any]], key: str, language: str) -> str:
    """The text of the row in the reader's language, else the first one with any text."""
    wanted = "en" if is_english(language) else "zh"
    texts = [(str(row.get("lang") or "").lower(), str(row.get(key) or "")) for row in rows if row.get(key)]
    for lang, text in texts:
        if lang.startswith(wanted):
            return text
    return texts[0][1] if texts else ""


def _identifier_url(identifier: str, prefix: str) -> str:
    identifier = identifier.strip()
    if not identifier:
        return ""
    return identifier if identifier.startswith("http") else prefix + identifier


def people(metadata: dict[str, Any], key: str = "creators") -> list[Person]:
    """Creators (or contributors) with their ORCID and ROR links."""
    found = []
    for row in _rows(metadata, key):
        orcid = next(
            (
                str(ident.get("nameIdentifier", ""))
                for ident in _rows(row, "nameIdentifiers")
                if str(ident.get("nameIdentifierScheme", "")).upper() == "ORCID"
            ),
            "",
        )
        affiliations = [
            Affiliation(
                str(a.get("name", "")),
                _identifier_url(str(a.get("affiliationIdentifier", "")), ROR_PREFIX)
                if str(a.get("affiliationIdentifierScheme", "")).upper() == "ROR"
                else "",
            )
            for a in _rows(row, "affiliation")
            if a.get("name") or a.get("affiliationIdentifier")
        ]
        name = str(row.get("name") or ", ".join(filter(None, [row.get("familyName"), row.get("givenName")])))
        role = str(row.get("contributorType", ""))
        found.append(Person(name, _identifier_url(orcid, ORCID_PREFIX), str(ROLES.get(role, role)), affiliations))
    return found


def creator_names(metadata: dict[str, Any], most: int = 3) -> str:
    """ "Wang, Li; Zhang, San et al." for lists."""
    names = [person.name for person in people(metadata)]
    shown = "; ".join(names[:most])
    return f"{shown} et al." if len(names) > most else shown


def description(metadata: dict[str, Any], language: str) -> str:
    abstracts = [row for row in _rows(metadata, "descriptions") if row.get("descriptionType", "Abstract") == "Abstract"]
    return in_language(abstracts or _rows(metadata, "descriptions"), "description", language)


def other_title(version: DatasetVersion, language: str) -> str:
    """The title in the other language, shown under the main one when it differs."""
    other = version.title_zh if is_english(language) else version.title_en
    return other if other and other != version.display_title(language) else ""


def publisher(metadata: dict[str, Any]) -> str:
    value = metadata.get("publisher") if isinstance(metadata, dict) else None
    if isinstance(value, dict):
        return str(value.get("name", ""))
    return str(value or "")


def publication_year(version: DatasetVersion) -> str:
    year = version.metadata.get("publicationYear") if isinstance(version.metadata, dict) else None
    if year:
        return str(year)
    moment = version.published_at or version.created_at
    return str(moment.year) if moment else ""


@dataclass(frozen=True)
class Licence:
    identifier: str
    name: str
    url: str


def licences(metadata: dict[str, Any]) -> list[Licence]:
    """The rights statements, named and linked from our SPDX list when the identifier is one of ours."""
    found = []
    for row in _rows(metadata, "rightsList"):
        identifier = str(row.get("rightsIdentifier", ""))
        known = spdx.licence(identifier) if identifier else None
        name = str(row.get("rights", "")) or (known.name if known else identifier)
        url = str(row.get("rightsUri", "")) or (known.url if known else "")
        found.append(Licence(known.spdx_id if known else identifier, name, url))
    return found


def keywords(metadata: dict[str, Any], language: str) -> list[str]:
    """Free keywords, those in the reader's language first."""
    wanted = "en" if is_english(language) else "zh"
    ordered = sorted(_rows(metadata, "keywords"), key=lambda row: not str(row.get("lang") or "").lower().startswith(wanted))
    return list(dict.fromkeys(str(row.get("value")) for row in ordered if row.get("value")))


def subjects(metadata: dict[str, Any]) -> list[tuple[str, str]]:
    """(subject, scheme) pairs."""
    return [
        (str(row.get("subject", "")), str(row.get("subjectScheme", "")))
        for row in _rows(metadata, "subjects")
        if row.get("subject")
    ]


@dataclass(frozen=True)
class Related:
    relation: str
    identifier: str
    identifier_type: str
    url: str


def related_identifiers(metadata: dict[str, Any]) -> list[Related]:
    found = []
    for row in _rows(metadata, "relatedIdentifiers"):
        identifier = str(row.get("relatedIdentifier", ""))
        kind = str(row.get("relatedIdentifierType", ""))
        url = identifier if identifier.startswith("http") else ""
        if kind.upper() == "DOI" and not url:
            url = "https://doi.org/" + identifier
        relation = str(row.get("relationType", ""))
        found.append(Related(str(RELATIONS.get(relation, relation)), identifier, kind, url))
    return found


def funding(metadata: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {key: str(value) for key, value in row.items() if isinstance(value, str)} for row in _rows(metadata, "fundingReferences")
    ]


def places(metadata: dict[str, Any]) -> list[str]:
    found = []
    for row in _rows(metadata, "geoLocations"):
        point = row.get("geoLocationPoint") if isinstance(row.get("geoLocationPoint"), dict) else {}
        where = str(row.get("geoLocationPlace", ""))
        if point and point.get("pointLatitude") not in (None, ""):
            where = f"{where} ({point.get('pointLatitude')}, {point.get('pointLongitude')})".strip()
        if where:
            found.append(where)
    return found


def dates(metadata: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind of date, date) pairs, the kind in words."""
    return [
        (str(DATE_KINDS.get(str(row.get("dateType", "")), row.get("dateType", ""))), str(row.get("date", "")))
        for row in _rows(metadata, "dates")
        if row.get("date")
    ]


def resolver_url(identifier: str) -> str:
    return pids.provider().resolver_url(identifier) if identifier else ""


def citation(version: DatasetVersion, language: str) -> str:
    """ "Creators (Year). Title. Publisher. Version N. PID" — the full styles come with the citation exports."""
    creators = "; ".join(person.name for person in people(version.metadata))
    parts = [
        f"{creators} ({publication_year(version)}).",
        f"{version.display_title(language)}.",
        f"{publisher(version.metadata)}." if publisher(version.metadata) else "",
        f"Version {version.version_number}.",
        resolver_url(version.pid),
    ]
    return " ".join(part for part in parts if part)


def fields_of_science(metadata: dict[str, Any], language: str) -> list[str]:
    codes = metadata.get("fieldOfScience") if isinstance(metadata, dict) else None
    codes = [codes] if isinstance(codes, str) else codes if isinstance(codes, list) else []
    found = [taxonomy.field_of_science(str(code)) for code in codes]
    return [field.label(language) for field in found if field is not None]


def record(version: DatasetVersion, language: str) -> dict[str, Any]:
    """Everything the landing and review pages show of the metadata, ready for the template."""
    metadata = version.metadata if isinstance(version.metadata, dict) else {}
    return {
        "creators": people(metadata),
        "contributors": people(metadata, "contributors"),
        "description": description(metadata, language),
        "keywords": keywords(metadata, language),
        "subjects": subjects(metadata),
        "fields_of_science": fields_of_science(metadata, language),
        "licences": licences(metadata),
        "related": related_identifiers(metadata),
        "funding": funding(metadata),
        "places": places(metadata),
        "dates": dates(metadata),
        "data_availability": in_language(_rows(metadata, "dataAvailability"), "statement", language),
        "publisher": publisher(metadata),
        "publication_year": publication_year(version),
        "citation": citation(version, language),
    }
