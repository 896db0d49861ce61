"""Liveness, readiness and Prometheus metrics for operators."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from sciport.core import storage


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and answering; checks nothing else, so it stays cheap."""
    return HttpResponse("ok", content_type="text/plain")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _queue() -> None:
    DBTaskResult.objects.filter(status="READY").exists()


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "storage": storage.check, "queue": _queue}


def readyz(request: HttpRequest) -> HttpResponse:
    """503 with the failing part named when the database, storage or task queue cannot be reached."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means not ready; the message says which
            results[name] = f"error: {type(error).__name__}: {error}"[:300]
    ready = all(value == "ok" for value in results.values())
    return HttpResponse(json.dumps(results), status=200 if ready else 503, content_type="application/json")


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format; merges all server processes when they share PROMETHEUS_MULTIPROC_DIR."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)
