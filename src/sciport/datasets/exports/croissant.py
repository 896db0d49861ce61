"""Croissant 1.0 (MLCommons) JSON-LD of a version, which ML tools (``mlcroissant``, Hugging Face, Kaggle, TFDS) load.

Every file is a ``cr:FileObject`` with its download URL and SHA-256. CSV and TSV files
also get a ``cr:RecordSet`` whose fields are the table's columns, typed as the table
preview types them (int, float, date, text), so their rows load as records.
"""

from __future__ import annotations

from typing import Any

from sciport.datasets.exports import record as records
from sciport.datasets.files import previews
from sciport.datasets.models import DatasetFile
from sciport.datasets.selectors import files as file_selectors

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
# At most this many tables are read (one preview prefix each) to describe their columns.
MAX_RECORD_SETS = 20
DATA_TYPES = {"int": "sc:Integer", "float": "sc:Float", "date": "sc:Date", "text": "sc:Text"}
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}


def _file_object(file: DatasetFile, url: str) -> dict[str, Any]:
    return {
        "@type": "cr:FileObject",
        "@id": file.public_id,
        "name": file.path,
        "contentUrl": url,
        "contentSize": f"{file.size} B",
        "encodingFormat": file.media_type or "application/octet-stream",
        "sha256": file.sha256,
    }


def _record_set(file: DatasetFile) -> dict[str, Any] | None:
    """The columns of a table file as a record set, or None when its start is not a readable table."""
    preview = file_selectors.preview_of(file)
    if preview.get("kind") != "table" or not preview.get("columns"):
        return None
    fields = [
        {
            "@type": "cr:Field",
            "@id": f"{file.public_id}/{index}",
            "name": column["name"] or f"column_{index + 1}",
            "dataType": DATA_TYPES.get(column["type"], "sc:Text"),
            "source": {"fileObject": {"@id": file.public_id}, "extract": {"column": column["name"]}},
        }
        for index, column in enumerate(preview["columns"])
    ]
    return {"@type": "cr:RecordSet", "@id": f"{file.public_id}-records", "name": f"{file.path} (rows)", "field": fields}


def _person(person: records.presenting.Person) -> dict[str, Any]:
    return {"@type": "Person", "name": person.name, **({"url": person.orcid_url} if person.orcid_url else {})}


def to_croissant(record: records.Record) -> dict[str, Any]:
    version = record.version
    url_of = records.download_urls()
    distribution: list[dict[str, Any]] = []
    record_sets: list[dict[str, Any]] = []
    for file in records.files_of(record):
        distribution.append(_file_object(file, url_of(file)))
        is_table = previews.kind_of(file.media_type, file.size) == "table"
        if is_table and len(record_sets) < MAX_RECORD_SETS and (record_set := _record_set(file)):
            record_sets.append(record_set)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": record.title,
        "description": record.description,
        "url": record.identifier_url or record.landing_url,
        "version": f"{version.version_number}.0.0",
        "citeAs": record.citation,
        "creator": [_person(person) for person in record.creators],
        "keywords": [text.value for text in record.keywords],
        "dateModified": record.modified.isoformat(),
        "distribution": distribution,
        "recordSet": record_sets,
    }
    if record.licence_url:
        document["license"] = record.licence_url
    if record.publisher:
        document["publisher"] = {"@type": "Organization", "name": record.publisher}
    if record.issued is not None:
        document["datePublished"] = record.issued.isoformat()
    return document
