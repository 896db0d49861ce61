"""A version's DataCite 4.5 metadata as JSON and XML, and the fields-of-science taxonomy depositors choose from."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from sciport.accounts.auth import OPTIONAL_AUTH_DOC, optional_auth
from sciport.datasets import metadata
from sciport.datasets.schemas.metadata import FieldOfScienceOut
from sciport.datasets.selectors import versions as selectors
from sciport.datasets.taxonomy import FIELDS_OF_SCIENCE
from sciport.datasets.usage import recording

router = Router(tags=["datasets"])

XML_ANSWER = {200: {"description": "DataCite 4.5 XML.", "content": {"application/xml": {"schema": {"type": "string"}}}}}


@router.get(
    "/versions/{version_id}/datacite.json",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=dict[str, Any],
    summary="A version's DataCite 4.5 metadata (JSON), as the identifier registry receives it",
)
def version_datacite_json(request: HttpRequest, version_id: str) -> dict[str, Any]:
    version = selectors.version_get(request.user, version_id)
    recording.count_view(request, version, "datacite.json")
    return metadata.to_datacite(version)


@router.get(
    "/versions/{version_id}/datacite.xml",
    auth=optional_auth,
    openapi_extra={**OPTIONAL_AUTH_DOC, "responses": XML_ANSWER},
    summary="A version's DataCite 4.5 metadata (XML)",
)
def version_datacite_xml(request: HttpRequest, version_id: str) -> HttpResponse:
    version = selectors.version_get(request.user, version_id)
    recording.count_view(request, version, "datacite.xml")
    return HttpResponse(metadata.to_xml(version), content_type="application/xml; charset=utf-8")


@router.get(
    "/taxonomy/fields-of-science",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=list[FieldOfScienceOut],
    summary="Fields of science (OECD FOS 2007) with Chinese and English labels, for `fieldOfScience`",
)
def fields_of_science(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": f.code, "parent": f.parent, "en": f.en, "zh": f.zh} for f in FIELDS_OF_SCIENCE]
