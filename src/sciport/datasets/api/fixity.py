"""Preservation reports: fixity runs and current problems, for the owner's curators and platform staff."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from sciport.core.pagination import Page, page_out
from sciport.datasets.models import FixityResult, FixityRun
from sciport.datasets.schemas import fixity as schemas
from sciport.datasets.selectors import fixity as selectors

router = Router(tags=["datasets"])


def run_out(run: FixityRun) -> dict[str, Any]:
    return {
        "id": run.public_id,
        "trigger": run.trigger,
        "dataset_id": run.dataset.public_id if run.dataset else None,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "objects_checked": run.seen,  # type: ignore[attr-defined]
        "problems": run.seen_problems,  # type: ignore[attr-defined]
    }


def problem_out(result: FixityResult) -> dict[str, Any]:
    return {
        "run_id": result.run.public_id,
        "dataset_id": result.dataset.public_id,
        "status": result.status,
        "checked_at": result.checked_at,
        "expected_size": result.expected_size,
        "expected_sha256": result.expected_sha256,
        "found_size": result.found_size,
        "found_sha256": result.found_sha256,
        "detail": result.detail,
        "files": [
            {
                "file_id": row.public_id,
                "path": row.path,
                "version_id": row.version.public_id,
                "version_number": row.version.version_number,
            }
            for row in selectors.files_of(result)
        ],
    }


@router.get("/fixity/runs", response=Page[schemas.FixityRunOut], summary="Preservation check runs, newest first")
def fixity_runs(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    runs = selectors.fixity_runs(request.user).select_related("dataset")
    return page_out(runs, cursor=cursor, limit=limit, newest_first=True, out=run_out)


@router.get(
    "/fixity/problems",
    response=Page[schemas.FixityProblemOut],
    summary="Stored files whose latest preservation check found them damaged, missing or unreadable",
)
def fixity_problems(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    return page_out(selectors.fixity_problems(request.user), cursor=cursor, limit=limit, newest_first=True, out=problem_out)
