"""Usage statistics: a version's or a concept's COUNTER metrics by month (JSON or CSV), and the platform's DSR."""

import csv
import io
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router

from sciport.accounts.auth import OPTIONAL_AUTH_DOC, optional_auth
from sciport.datasets.schemas import usage as schemas
from sciport.datasets.selectors import versions as selectors
from sciport.datasets.usage import metrics, report

router = Router(tags=["datasets"])
Format = Literal["json", "csv"]
_CSV = {"text/csv": {"schema": {"type": "string"}}}
_USAGE_DOC = {
    **OPTIONAL_AUTH_DOC,
    "responses": {200: {"description": "Months and totals (JSON, or CSV with format=csv).", "content": _CSV}},
}


def usage_csv(usage: dict[str, Any], name: str) -> HttpResponse:
    """The months as CSV rows, then a row of totals: the same numbers as the JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", *metrics.METRICS])
    for month in usage["months"]:
        writer.writerow([month["month"], *(month[m] for m in metrics.METRICS)])
    writer.writerow(["total", *(usage["totals"][m] for m in metrics.METRICS)])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-usage.csv"'
    return response


def _answer(usage: dict[str, Any], public_id: str, format: Format) -> dict[str, Any] | HttpResponse:
    return usage_csv(usage, public_id) if format == "csv" else {"id": public_id, **usage}


@router.get(
    "/versions/{version_id}/usage",
    auth=optional_auth,
    url_name="dataset_version_usage",
    openapi_extra=_USAGE_DOC,
    response=schemas.UsageOut,
    summary="A version's views and downloads by month (COUNTER: total and unique investigations and requests)",
)
def version_usage(request: HttpRequest, version_id: str, format: Format = "json") -> Any:
    version = selectors.version_get(request.user, version_id)
    return _answer(metrics.version_usage(version), version.public_id, format)


@router.get(
    "/datasets/{dataset_id}/usage",
    auth=optional_auth,
    openapi_extra=_USAGE_DOC,
    response=schemas.UsageOut,
    summary="A dataset's usage over all its versions by month (unique figures count each session once)",
)
def dataset_usage(request: HttpRequest, dataset_id: str, format: Format = "json") -> Any:
    dataset = selectors.dataset_get(request.user, dataset_id)
    return _answer(metrics.concept_usage(dataset), dataset.public_id, format)


@router.get(
    "/usage/report",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=schemas.DatasetReport,
    summary="The platform's COUNTER Dataset Report (DSR, research data release rd1) for months begin to end (YYYY-MM)",
)
def usage_report(request: HttpRequest, begin: str, end: str) -> dict[str, Any]:
    first, after = report.reporting_period(begin, end)
    return report.dataset_report(selectors.visible_versions(request.user), first, after)
