"""Usage on the landing page (totals, a chart and the same numbers as a table) and the chart library itself.

The chart is drawn by the ``plotly.min.js`` of the installed ``plotly`` package, served from
here: no CDN, and no collectstatic step to copy a 4 MB file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from django.http import FileResponse, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from sciport.datasets.models import DatasetVersion, VersionState
from sciport.datasets.usage import metrics

PLOTLY_FILE = Path(plotly.__file__).with_name("package_data") / "plotly.min.js"
YEAR = 365 * 24 * 3600


@require_safe
@cache_control(public=True, max_age=YEAR, immutable=True)
def plotly_script(request: HttpRequest) -> FileResponse:
    """The chart library; its address carries the plotly version, so it may be cached for a year."""
    return FileResponse(PLOTLY_FILE.open("rb"), content_type="text/javascript; charset=utf-8")


def plotly_url() -> str:
    return f"{reverse('datasets:plotly')}?v={plotly.__version__}"


def landing_usage(version: DatasetVersion) -> dict[str, Any] | None:
    """This version's and all versions' totals, the version's months for the chart and table; none before publication."""
    if version.state not in (VersionState.PUBLISHED, VersionState.WITHDRAWN):
        return None
    mine = metrics.version_usage(version)
    months = mine["months"]
    return {
        "version": mine["totals"],
        "concept": metrics.concept_usage(version.dataset)["totals"],
        "months": months,
        "csv_url": reverse("api:dataset_version_usage", args=[version.public_id]) + "?format=csv",
        "plotly_url": plotly_url(),
        "chart": {
            "months": [m["month"] for m in months],
            "views": [m["total_investigations"] for m in months],
            "downloads": [m["total_requests"] for m in months],
            "labels": {"views": _("Views"), "downloads": _("Downloads")},
        },
    }
