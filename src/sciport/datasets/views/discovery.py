"""What the landing page tells machines and citing readers: JSON-LD, signposting ``Link`` headers, the linkset, the citation box."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from sciport.core.errors import NotFound
from sciport.datasets import citations, jsonld, signposts
from sciport.datasets.models import DatasetVersion
from sciport.datasets.selectors import versions as selectors


def landing_discovery(request: HttpRequest, version: DatasetVersion) -> dict[str, Any]:
    """The ``discovery`` entry of the landing page: the JSON-LD script and the citation box."""
    language = request.LANGUAGE_CODE
    citation_url = reverse("api:version_citation", args=[version.public_id])
    api = f"/api/v1/versions/{version.public_id}"
    return {
        "jsonld": jsonld.script(version, signposts.base_url(request), language),
        "apa": citations.apa(citations.work_of(version, language)),
        "downloads": [
            (style.label, f"{citation_url}?style={style.name}&download=true")
            for style in citations.STYLES.values()
            if style.name != "apa"
        ],
        "exports": [
            ("DataCite JSON", f"{api}/datacite.json"),
            ("DataCite XML", f"{api}/datacite.xml"),
            ("schema.org JSON-LD", f"{api}/schema.org.json"),
            ("Linkset", reverse("datasets:linkset", args=[version.public_id])),
        ],
    }


def sign(response: HttpResponse, request: HttpRequest, version: DatasetVersion) -> HttpResponse:
    """Add the FAIR Signposting ``Link`` header to a landing page."""
    response["Link"] = signposts.header(request, version)
    return response


def _wants_text(request: HttpRequest) -> bool:
    """Text only when asked for it and not for JSON too (JSON is the default)."""
    types = {part.split(";")[0].strip() for part in request.headers.get("Accept", "").split(",")}
    return signposts.LINKSET_TEXT in types and signposts.LINKSET_JSON not in types


def linkset(request: HttpRequest, version_id: str) -> HttpResponse:
    """``/data/versions/<id>/linkset``: RFC 9264 JSON, or ``application/linkset`` text when the client asks for it."""
    try:
        version = selectors.version_get(request.user, version_id)
    except NotFound:
        raise Http404 from None
    if _wants_text(request):
        response = HttpResponse(signposts.linkset_text(request, version), content_type=signposts.LINKSET_TEXT)
    else:
        body = json.dumps(signposts.linkset_json(request, version), ensure_ascii=False, indent=1)
        response = HttpResponse(body, content_type=signposts.LINKSET_JSON)
    response["Vary"] = "Accept"
    return response
