"""A version's record as DCAT 3 (JSON-LD, Turtle), Croissant 1.0 and RO-Crate 1.1, seen by whoever sees its landing page."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import Router

from sciport.accounts.auth import OPTIONAL_AUTH_DOC, optional_auth
from sciport.datasets.exports import croissant, dcat, rocrate
from sciport.datasets.exports import record as records
from sciport.datasets.files import archives, downloads
from sciport.datasets.selectors import access
from sciport.datasets.selectors import versions as selectors
from sciport.datasets.usage import recording

router = Router(tags=["datasets"])


def _answer(media_type: str, description: str, *, binary: bool = False) -> dict[str, Any]:
    schema = {"type": "string", **({"format": "binary"} if binary else {})}
    content = {media_type: {"schema": schema}}
    return {**OPTIONAL_AUTH_DOC, "responses": {200: {"description": description, "content": content}}}


def _record(request: HttpRequest, version_id: str, *, counted: bool = True) -> records.Record:
    """The version's record; reading it in any format is a COUNTER investigation (the item is the format's file name)."""
    version = selectors.version_get(request.user, version_id)
    if counted:
        recording.count_view(request, version, request.path.rsplit("/", 1)[-1][: recording.ITEM_LENGTH])
    return records.describe(version)


@router.get(
    "/versions/{version_id}/dcat.jsonld",
    auth=optional_auth,
    url_name="dataset_version_dcat_jsonld",
    openapi_extra=_answer("application/ld+json", "DCAT 3 JSON-LD."),
    summary="A version as a DCAT 3 dataset with one distribution per file (JSON-LD)",
)
def version_dcat_jsonld(request: HttpRequest, version_id: str) -> HttpResponse:
    return HttpResponse(dcat.to_jsonld(_record(request, version_id)), content_type="application/ld+json; charset=utf-8")


@router.get(
    "/versions/{version_id}/dcat.ttl",
    auth=optional_auth,
    openapi_extra=_answer("text/turtle", "DCAT 3 Turtle."),
    summary="A version as a DCAT 3 dataset with one distribution per file (Turtle)",
)
def version_dcat_turtle(request: HttpRequest, version_id: str) -> HttpResponse:
    return HttpResponse(dcat.to_turtle(_record(request, version_id)), content_type="text/turtle; charset=utf-8")


@router.get(
    "/versions/{version_id}/croissant.json",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=dict[str, Any],
    summary="A version as Croissant 1.0 JSON-LD (MLCommons): files, and the columns of its tables as record sets",
)
def version_croissant(request: HttpRequest, version_id: str) -> dict[str, Any]:
    return croissant.to_croissant(_record(request, version_id))


@router.get(
    "/versions/{version_id}/ro-crate-metadata.json",
    auth=optional_auth,
    openapi_extra=_answer("application/ld+json", "RO-Crate 1.1 metadata; File entities are the download URLs."),
    summary="A version's RO-Crate 1.1 metadata file, its files on the web",
)
def version_rocrate_metadata(request: HttpRequest, version_id: str) -> HttpResponse:
    record = _record(request, version_id)
    body = rocrate.metadata_json(record, list(records.files_of(record)), with_payload=False)
    return HttpResponse(body, content_type="application/ld+json; charset=utf-8")


@router.get(
    "/versions/{version_id}/ro-crate.zip",
    auth=optional_auth,
    openapi_extra=_answer(
        "application/zip", "A ZIP crate, streamed: the files under data/ when the reader may download them.", binary=True
    ),
    summary="A version as an RO-Crate 1.1 ZIP, with its data files when the reader may download them",
)
def version_rocrate_zip(request: HttpRequest, version_id: str) -> HttpResponseBase:
    record = _record(request, version_id, counted=False)
    with_payload = bool(access.download_decision(request.user, record.version))
    chunks = rocrate.zip_stream(record, with_payload=with_payload)
    response = downloads.zip_response(chunks, f"{archives.top_folder(record.version)}-ro-crate.zip")
    return recording.count_download(request, record.version, "ro-crate.zip", response, content=with_payload)
