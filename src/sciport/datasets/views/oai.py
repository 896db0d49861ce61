"""``/oai``: the OAI-PMH 2.0 endpoint, by GET or form-encoded POST, answered as a stream of XML."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sciport.datasets.oai.responses import answer


@csrf_exempt  # harvesters POST without a session; the endpoint changes nothing
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest) -> StreamingHttpResponse:
    query = request.POST if request.method == "POST" else request.GET
    return StreamingHttpResponse(answer(f"{settings.SITE_URL}/oai", query), content_type="text/xml; charset=utf-8")
