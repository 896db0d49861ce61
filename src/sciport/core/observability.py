"""Request ids, JSON-ready log records and Prometheus metrics for every request."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")

REQUESTS = Counter("sciport_http_requests_total", "HTTP requests answered", ["method", "status"])
LATENCY = Histogram("sciport_http_request_seconds", "Time to answer an HTTP request", ["method"])


class RequestIdMiddleware:
    """Takes a sane incoming X-Request-ID or makes one, and returns it on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Not reset afterwards: Django logs the request's outcome after middleware returns,
        # and that line must carry the id too; the next request in this context sets its own.
        current_request_id.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        LATENCY.labels(request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, str(response.status_code)).inc()
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
