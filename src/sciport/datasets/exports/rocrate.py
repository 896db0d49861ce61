"""RO-Crate 1.1 of a version: ``ro-crate-metadata.json`` alone, or a ZIP crate with the data files beside it.

In the ZIP the files sit under ``data/`` and the File entities name them by that relative
path, so the crate opens in any RO-Crate tool (WorkflowHub, Describo, the ``rocrate``
package). When the reader may not download the files, the crate carries only its
metadata and the File entities are web-based: their ``@id`` is the download URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from sciport.core import storage
from sciport.datasets.exports import record as records
from sciport.datasets.files import zipstream
from sciport.datasets.models import DatasetFile

CONTEXT = "https://w3id.org/ro/crate/1.1/context"
CONFORMS_TO = "https://w3id.org/ro/crate/1.1"
METADATA_NAME = "ro-crate-metadata.json"
PAYLOAD_FOLDER = "data"


def _payload_path(file: DatasetFile) -> str:
    return f"{PAYLOAD_FOLDER}/{file.path}"


def _people(record: records.Record) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """References to the creators for the root, and the Person and Organization entities they point to."""
    references: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, person in enumerate(record.creators):
        person_id = person.orcid_url or f"#creator-{index + 1}"
        affiliations: list[dict[str, str]] = []
        for number, affiliation in enumerate(person.affiliations):
            organisation_id = affiliation.ror_url or f"#organisation-{index + 1}-{number + 1}"
            affiliations.append({"@id": organisation_id})
            if organisation_id not in seen:
                seen.add(organisation_id)
                entities.append({"@id": organisation_id, "@type": "Organization", "name": affiliation.name})
        references.append({"@id": person_id})
        if person_id not in seen:
            seen.add(person_id)
            entities.append({"@id": person_id, "@type": "Person", "name": person.name, "affiliation": affiliations})
    return references, entities


def _file_entity(file: DatasetFile, file_id: str, url: str) -> dict[str, Any]:
    return {
        "@id": file_id,
        "@type": "File",
        "name": file.path,
        "contentSize": str(file.size),
        "encodingFormat": file.media_type or "application/octet-stream",
        "sha256": file.sha256,
        "contentUrl": url,
    }


def metadata(record: records.Record, files: list[DatasetFile], *, with_payload: bool) -> dict[str, Any]:
    """The crate's JSON-LD; with ``with_payload`` the files are in the crate, else on the web."""
    url_of = records.download_urls()
    file_entities = [
        _file_entity(file, quote(_payload_path(file)) if with_payload else url_of(file), url_of(file)) for file in files
    ]
    authors, agents = _people(record)
    root: dict[str, Any] = {
        "@id": "./",
        "@type": "Dataset",
        "name": record.title,
        "description": record.description,
        "identifier": record.identifier_url or record.identifier,
        "url": record.landing_url,
        "version": str(record.version.version_number),
        "dateModified": record.modified.isoformat(),
        "author": authors,
        "keywords": [text.value for text in record.keywords],
        "hasPart": [{"@id": entity["@id"]} for entity in file_entities],
    }
    if record.issued is not None:
        root["datePublished"] = record.issued.isoformat()
    extra: list[dict[str, Any]] = []
    if record.licence_url:
        root["license"] = {"@id": record.licence_url}
        extra.append({"@id": record.licence_url, "@type": "CreativeWork", "name": record.licence_name})
    if record.publisher:
        root["publisher"] = {"@id": "#publisher"}
        extra.append({"@id": "#publisher", "@type": "Organization", "name": record.publisher})
    descriptor = {"@id": METADATA_NAME, "@type": "CreativeWork", "conformsTo": {"@id": CONFORMS_TO}, "about": {"@id": "./"}}
    return {"@context": CONTEXT, "@graph": [descriptor, root, *file_entities, *agents, *extra]}


def metadata_json(record: records.Record, files: list[DatasetFile], *, with_payload: bool) -> bytes:
    return json.dumps(metadata(record, files, with_payload=with_payload), ensure_ascii=False, indent=2).encode()


def _payload_entry(file: DatasetFile) -> zipstream.Entry:
    return zipstream.Entry(
        name=_payload_path(file), size=file.size, chunks=lambda: storage.open_chunks(file.blob_name), modified=file.created_at
    )


def zip_stream(record: records.Record, *, with_payload: bool) -> Iterator[bytes]:
    """The crate as a ZIP, written as it is sent: the data files (if any) then the metadata that lists them."""
    files = list(records.files_of(record))

    def entries() -> Iterator[zipstream.Entry]:
        for file in files if with_payload else []:
            yield _payload_entry(file)
        yield zipstream.in_memory(METADATA_NAME, metadata_json(record, files, with_payload=with_payload), record.modified)

    return zipstream.stream(entries())
