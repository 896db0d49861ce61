"""DataCite 4.5 JSON and XML of a version or of its concept: what registries and harvesters receive.

The stored metadata is what the depositor wrote; the export adds what sciport knows
(identifier, version, dates of the lifecycle, the links between versions and concept,
sizes, formats, access rights) and turns sciport's own keys into DataCite fields:
keywords and fields of science become subjects, the data availability statement a
description.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from datacite import schema45
from django.utils import timezone

from sciport.core.errors import FieldError
from sciport.datasets import pids
from sciport.datasets.licences import SPDX_SCHEME_URI, licence
from sciport.datasets.metadata_schema import is_empty
from sciport.datasets.models import AccessLevel, Dataset, DatasetVersion, VersionState
from sciport.datasets.taxonomy import SCHEME, SCHEME_URI, field_of_science

KERNEL_4 = "http://datacite.org/schema/kernel-4"
OWN_KEYS = ("keywords", "fieldOfScience", "dataAvailability")
IDENTIFIER_SCHEME_URIS = {"ORCID": "https://orcid.org", "ROR": "https://ror.org"}
REGISTERED_STATES = (VersionState.PUBLISHED, VersionState.WITHDRAWN)
# OpenAIRE access-rights vocabulary, which harvesters (OpenAIRE, BASE) read from the rights list.
ACCESS_RIGHTS = {
    AccessLevel.OPEN: ("Open Access", "info:eu-repo/semantics/openAccess"),
    AccessLevel.EMBARGOED: ("Embargoed Access", "info:eu-repo/semantics/embargoedAccess"),
    AccessLevel.RESTRICTED: ("Restricted Access", "info:eu-repo/semantics/restrictedAccess"),
    AccessLevel.PRIVATE: ("Closed Access", "info:eu-repo/semantics/closedAccess"),
}
MAX_FORMATS = 50


def to_datacite(version: DatasetVersion, *, as_concept: bool = False) -> dict[str, Any]:
    """The DataCite JSON of ``version``, or with ``as_concept`` of its concept as that version describes it."""
    dataset = version.dataset
    body = datacite_body(version.metadata)
    _identify(body, dataset.concept_pid if as_concept else version.pid)
    if not as_concept:
        body["version"] = str(version.version_number)
    published = version.published_at or timezone.now()
    body["publicationYear"] = body.get("publicationYear") or str(timezone.localdate(published).year)
    body["dates"] = [*body.get("dates", []), *_lifecycle_dates(version)]
    relations = _concept_relations(dataset) if as_concept else _version_relations(version)
    body["relatedIdentifiers"] = [*body.get("relatedIdentifiers", []), *relations]
    body["sizes"] = [f"{version.file_count} {'file' if version.file_count == 1 else 'files'}", f"{version.total_bytes} bytes"]
    body["formats"] = _formats(version)
    body["rightsList"] = [*body.get("rightsList", []), _access_rights(version)]
    return _tidy(body)


def to_xml(version: DatasetVersion, *, as_concept: bool = False) -> str:
    """DataCite 4.5 XML, written by the ``datacite`` package from the JSON."""
    return str(schema45.tostring(to_datacite(version, as_concept=as_concept)))


def datacite_body(metadata: dict[str, Any]) -> dict[str, Any]:
    """DataCite JSON of the stored metadata alone, without anything only the version knows."""
    body = {key: copy.deepcopy(value) for key, value in metadata.items() if key not in OWN_KEYS}
    body["subjects"] = [*body.get("subjects", []), *_keyword_subjects(metadata), *_field_subjects(metadata)]
    body["descriptions"] = [*body.get("descriptions", []), *_availability(metadata)]
    body["rightsList"] = [_with_licence(rights) for rights in body.get("rightsList", [])]
    for key in ("creators", "contributors"):
        body[key] = [_with_scheme_uris(person) for person in body.get(key, [])]
    if isinstance(body.get("publisher"), dict):
        _add_scheme_uri(body["publisher"], "publisherIdentifierScheme")
    body["schemaVersion"] = KERNEL_4
    return _tidy(body)


def schema_errors(record: dict[str, Any]) -> list[FieldError]:
    """What the ``datacite`` package's 4.5 JSON schema finds wrong in ``record``, at JSON paths."""
    errors = []
    for error in sorted(schema45.validator.iter_errors(record), key=lambda e: list(map(str, e.absolute_path))):
        path = ""
        for part in error.absolute_path:
            path = f"{path}[{part}]" if isinstance(part, int) else (f"{path}.{part}" if path else str(part))
        errors.append(FieldError(path or "metadata", error.message))
    return errors


# --- sciport's own keys as DataCite fields -------------------------------------------------------


def _entries(metadata: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = metadata.get(key)
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def _keyword_subjects(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"subject": keyword.get("value"), "lang": keyword.get("lang")} for keyword in _entries(metadata, "keywords")]


def _field_subjects(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    subjects = []
    codes = metadata.get("fieldOfScience")
    for code in codes if isinstance(codes, list) else []:
        found = field_of_science(str(code))
        if found is None:
            continue
        scheme = {"subjectScheme": SCHEME, "schemeUri": SCHEME_URI, "classificationCode": found.code}
        subjects.append({"subject": f"FOS: {found.en}", **scheme, "lang": "en"})
        subjects.append({"subject": found.zh, **scheme, "lang": "zh"})
    return subjects


def _availability(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"description": statement.get("statement"), "descriptionType": "Other", "lang": statement.get("lang")}
        for statement in _entries(metadata, "dataAvailability")
    ]


def _with_licence(rights: Any) -> Any:
    if not isinstance(rights, dict) or rights.get("rightsIdentifierScheme") != "SPDX":
        return rights
    found = licence(str(rights.get("rightsIdentifier", "")))
    if found is None:
        return rights
    return {"rights": found.name, "rightsUri": found.url, "schemeUri": SPDX_SCHEME_URI, **rights}


def _add_scheme_uri(entry: dict[str, Any], scheme_key: str) -> None:
    scheme_uri = IDENTIFIER_SCHEME_URIS.get(str(entry.get(scheme_key, "")))
    if scheme_uri and not entry.get("schemeUri"):
        entry["schemeUri"] = scheme_uri


def _with_scheme_uris(person: Any) -> Any:
    if not isinstance(person, dict):
        return person
    for identifier in _entries(person, "nameIdentifiers"):
        _add_scheme_uri(identifier, "nameIdentifierScheme")
    for affiliation in _entries(person, "affiliation"):
        _add_scheme_uri(affiliation, "affiliationIdentifierScheme")
    return person


# --- what the version knows ----------------------------------------------------------------------


def _identify(body: dict[str, Any], pid: str) -> None:
    """A DOI is the record's identifier; a handle or CSTR, which DataCite cannot carry there, an alternate one."""
    if not pid:
        return
    kind = pids.identifier_kind(pid)
    if kind == "DOI":
        body["doi"] = pid
    else:
        body["alternateIdentifiers"] = [
            *body.get("alternateIdentifiers", []),
            {"alternateIdentifier": pid, "alternateIdentifierType": kind},
        ]


def _lifecycle_dates(version: DatasetVersion) -> list[dict[str, Any]]:
    if version.published_at is None:
        return []
    issued = timezone.localdate(version.published_at)
    embargoed = version.access_level == AccessLevel.EMBARGOED and version.embargo_until is not None
    available = version.embargo_until if embargoed else issued
    dates = [{"date": issued.isoformat(), "dateType": "Issued"}, {"date": str(available), "dateType": "Available"}]
    if version.withdrawn_at is not None:
        withdrawn = {"date": timezone.localdate(version.withdrawn_at).isoformat(), "dateType": "Withdrawn"}
        dates.append({**withdrawn, "dateInformation": version.withdrawal_reason[:1000]})
    return dates


def _relation(relation_type: str, pid: str) -> dict[str, Any]:
    kind = pids.identifier_kind(pid)
    # DataCite has no CSTR identifier type: a CSTR is related through its resolver URL.
    value, identifier_type = (pids.local_resolver_url(pid), "URL") if kind == "CSTR" else (pid, kind)
    return {
        "relatedIdentifier": value,
        "relatedIdentifierType": identifier_type,
        "relationType": relation_type,
        "resourceTypeGeneral": "Dataset",
    }


def _version_relations(version: DatasetVersion) -> list[dict[str, Any]]:
    dataset = version.dataset
    relations = [_relation("IsVersionOf", dataset.concept_pid)] if dataset.concept_pid else []
    previous = (
        dataset.versions.filter(version_number__lt=version.version_number, state__in=REGISTERED_STATES)
        .order_by("-version_number")
        .only("pid")
        .first()
    )
    if previous is not None and previous.pid:
        relations.append(_relation("IsNewVersionOf", previous.pid))
    return relations


def _concept_relations(dataset: Dataset) -> list[dict[str, Any]]:
    versions = dataset.versions.filter(state__in=REGISTERED_STATES).exclude(pid="").order_by("version_number")
    return [_relation("HasVersion", pid) for pid in versions.values_list("pid", flat=True)]


def _formats(version: DatasetVersion) -> list[str]:
    media_types = version.files.exclude(media_type="").order_by("media_type").values_list("media_type", flat=True)
    return list(media_types.distinct()[:MAX_FORMATS])


def _access_rights(version: DatasetVersion) -> dict[str, str]:
    level = version.access_level
    if level == AccessLevel.EMBARGOED and version.embargo_until is not None and version.embargo_until <= timezone.localdate():
        level = AccessLevel.OPEN
    rights, uri = ACCESS_RIGHTS[AccessLevel(level)]
    return {"rights": rights, "rightsUri": uri}


def _tidy(value: Any) -> Any:
    """Drop empty values and repeated list entries (DataCite wants every list's entries unique)."""
    if isinstance(value, dict):
        tidied = {key: _tidy(item) for key, item in value.items()}
        return {key: item for key, item in tidied.items() if not is_empty(item)}
    if isinstance(value, list):
        seen: set[str] = set()
        kept = []
        for item in map(_tidy, value):
            fingerprint = json.dumps(item, sort_keys=True, ensure_ascii=False)
            if not is_empty(item) and fingerprint not in seen:
                seen.add(fingerprint)
                kept.append(item)
        return kept
    return value
