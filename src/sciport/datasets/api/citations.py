"""A version's citation in APA, BibTeX, RIS or CSL-JSON, and its schema.org JSON-LD."""

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router

from sciport.accounts.auth import OPTIONAL_AUTH_DOC, optional_auth
from sciport.datasets import citations, jsonld, signposts
from sciport.datasets.selectors import versions as selectors

router = Router(tags=["datasets"])

CitationStyle = Literal["apa", "bibtex", "ris", "csl-json"]
_TEXT = {"schema": {"type": "string"}}
CITATION_ANSWER = {
    200: {
        "description": "The citation in the style asked for.",
        "content": {style.media_type.split(";")[0]: _TEXT for style in citations.STYLES.values()},
    }
}
JSONLD_ANSWER = {200: {"description": "schema.org Dataset JSON-LD.", "content": {"application/ld+json": _TEXT}}}


@router.get(
    "/versions/{version_id}/citation",
    auth=optional_auth,
    url_name="version_citation",
    openapi_extra={**OPTIONAL_AUTH_DOC, "responses": CITATION_ANSWER},
    summary="How to cite a version: APA text, BibTeX, RIS or CSL-JSON (`download=true` saves it as a file)",
)
def version_citation(request: HttpRequest, version_id: str, style: CitationStyle = "apa", download: bool = False) -> HttpResponse:
    version = selectors.version_get(request.user, version_id)
    chosen = citations.STYLES[style]
    response = HttpResponse(chosen.write(citations.work_of(version, request.LANGUAGE_CODE)), content_type=chosen.media_type)
    if download:
        response["Content-Disposition"] = f'attachment; filename="{version.public_id}.{chosen.extension}"'
    return response


@router.get(
    "/versions/{version_id}/schema.org.json",
    auth=optional_auth,
    openapi_extra={**OPTIONAL_AUTH_DOC, "responses": JSONLD_ANSWER},
    summary="A version's schema.org Dataset JSON-LD (the same as in its landing page)",
)
def version_schema_org(request: HttpRequest, version_id: str) -> HttpResponse:
    version = selectors.version_get(request.user, version_id)
    text = jsonld.script(version, signposts.base_url(request), request.LANGUAGE_CODE)
    return HttpResponse(text, content_type="application/ld+json; charset=utf-8")
