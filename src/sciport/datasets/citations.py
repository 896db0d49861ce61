"""A version's citation in APA, BibTeX, RIS and CSL-JSON, read from its DataCite metadata.

Chinese names are written family name first without a comma or initials (王力), as
Chinese style guides and APA itself do for names written in Chinese characters;
Latin names become "Family, G." in APA and "Family, Given" in BibTeX and RIS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sciport.datasets import pids
from sciport.datasets.models import DatasetVersion
from sciport.datasets.views import presenting

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
BIBTEX_SPECIALS = re.compile(r"([&%$#_{}])")


@dataclass(frozen=True)
class Name:
    family: str
    given: str = ""
    literal: str = ""  # an organisation, or a person whose name could not be split

    @property
    def is_chinese(self) -> bool:
        return bool(CJK.search(self.family + self.given + self.literal))


@dataclass(frozen=True)
class Work:
    """What every style needs, read once."""

    key: str
    authors: list[Name]
    title: str
    year: str
    publisher: str
    version: str
    pid: str
    url: str
    doi: str
    issued: str
    keywords: list[str]
    abstract: str


def _name(row: dict[str, Any]) -> Name:
    family, given = str(row.get("familyName") or "").strip(), str(row.get("givenName") or "").strip()
    name = str(row.get("name") or "").strip()
    if row.get("nameType") == "Organizational" or not (family or "," in name):
        return Name("", "", name or family)
    if not family:
        family, _, given = (part.strip() for part in name.partition(","))
    return Name(family, given)


def full_name(name: Name) -> str:
    """The name as written in running text: 张三, Li Wang, or the organisation."""
    if name.literal or not name.given:
        return name.literal or name.family
    return name.family + name.given if name.is_chinese else f"{name.given} {name.family}"


def names_of(metadata: dict[str, Any]) -> list[Name]:
    creators = metadata.get("creators")
    return [_name(row) if isinstance(row, dict) else Name("") for row in creators] if isinstance(creators, list) else []


def work_of(version: DatasetVersion, language: str) -> Work:
    metadata = version.metadata if isinstance(version.metadata, dict) else {}
    authors = names_of(metadata)
    doi = version.pid if version.pid and pids.identifier_kind(version.pid) == "DOI" else ""
    issued = version.published_at.date().isoformat() if version.published_at else ""
    return Work(
        key=version.public_id,
        authors=[author for author in authors if author.family or author.literal],
        title=version.display_title(language),
        year=presenting.publication_year(version),
        publisher=presenting.publisher(metadata),
        version=str(version.version_number),
        pid=version.pid,
        url=presenting.resolver_url(version.pid),
        doi=doi,
        issued=issued,
        keywords=presenting.keywords(metadata, language),
        abstract=presenting.description(metadata, language),
    )


# --- APA 7 ---------------------------------------------------------------------------------------


def _apa_name(name: Name) -> str:
    if name.literal:
        return name.literal
    if name.is_chinese:
        return name.family + name.given
    initials = " ".join(f"{part[0]}." for part in re.split(r"[\s]+", name.given) if part)
    return f"{name.family}, {initials}" if initials else name.family


def _apa_authors(names: list[Name]) -> str:
    written = [_apa_name(name) for name in names]
    if len(written) > 20:
        written = [*written[:19], "…", written[-1]]
        return ", ".join(written)
    if len(written) > 1:
        return ", ".join(written[:-1]) + ", & " + written[-1]
    return written[0] if written else ""


def apa(work: Work) -> str:
    """APA 7 for a dataset: Authors (Year). *Title* (Version N) [Data set]. Publisher. URL"""
    authors = _apa_authors(work.authors)
    year = f"({work.year or 'n.d.'})."
    head = f"{authors}{'' if authors.endswith('.') else '.'} {year}" if authors else f"{work.title}. {year}"
    parts = [head]
    if authors:
        parts.append(f"{work.title} (Version {work.version}) [Data set].")
    else:
        parts.append(f"(Version {work.version}) [Data set].")
    if work.publisher:
        parts.append(f"{work.publisher}.")
    if work.url:
        parts.append(work.url)
    return " ".join(parts)


# --- BibTeX --------------------------------------------------------------------------------------


def _bibtex_text(value: str) -> str:
    return BIBTEX_SPECIALS.sub(r"\\\1", value)


def _bibtex_name(name: Name) -> str:
    if name.literal or (name.is_chinese and not name.given):
        return "{" + _bibtex_text(name.literal or name.family) + "}"
    return f"{_bibtex_text(name.family)}, {_bibtex_text(name.given)}" if name.given else _bibtex_text(name.family)


def bibtex(work: Work) -> str:
    """A ``@misc`` entry (read by every BibTeX style; biblatex styles also know ``@dataset``)."""
    fields = [
        ("author", " and ".join(_bibtex_name(name) for name in work.authors)),
        ("title", "{" + _bibtex_text(work.title) + "}"),
        ("year", work.year),
        ("publisher", _bibtex_text(work.publisher)),
        ("version", work.version),
        ("doi", work.doi),
        ("url", work.url),
        ("keywords", _bibtex_text(", ".join(work.keywords))),
        ("note", f"Dataset, version {work.version}" + ("" if work.doi else f", identifier {_bibtex_text(work.pid)}")),
    ]
    body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields if value)
    return f"@misc{{{work.key},\n{body}\n}}\n"


# --- RIS -----------------------------------------------------------------------------------------


def ris(work: Work) -> str:
    lines = [("TY", "DATA")]
    lines += [("AU", name.literal or (f"{name.family}, {name.given}" if name.given else name.family)) for name in work.authors]
    lines += [("TI", work.title), ("PY", work.year), ("DA", work.issued.replace("-", "/")), ("PB", work.publisher)]
    lines += [("ET", f"Version {work.version}"), ("DO", work.doi), ("UR", work.url), ("AB", work.abstract)]
    lines += [("KW", keyword) for keyword in work.keywords]
    lines += [("ER", "")]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines if value or tag == "ER")


# --- CSL-JSON ------------------------------------------------------------------------------------


def csl(work: Work) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": work.key,
        "type": "dataset",
        "title": work.title,
        "author": [{"literal": n.literal} if n.literal else {"family": n.family, "given": n.given} for n in work.authors],
        "publisher": work.publisher,
        "version": work.version,
        "URL": work.url,
        "DOI": work.doi,
        "abstract": work.abstract,
        "keyword": ", ".join(work.keywords),
    }
    if work.issued:
        item["issued"] = {"date-parts": [[int(part) for part in work.issued.split("-")]]}
    elif work.year.isdigit():
        item["issued"] = {"date-parts": [[int(work.year)]]}
    return {key: value for key, value in item.items() if value}


def csl_json(work: Work) -> str:
    return json.dumps([csl(work)], ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class Style:
    name: str
    label: str
    media_type: str
    extension: str
    write: Callable[[Work], str]


STYLES = {
    style.name: style
    for style in (
        Style("apa", "APA", "text/plain; charset=utf-8", "txt", apa),
        Style("bibtex", "BibTeX", "application/x-bibtex; charset=utf-8", "bib", bibtex),
        Style("ris", "RIS", "application/x-research-info-systems; charset=utf-8", "ris", ris),
        Style("csl-json", "CSL-JSON", "application/vnd.citationstyles.csl+json; charset=utf-8", "json", csl_json),
    )
}
