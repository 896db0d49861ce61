"""Preservation fixity checks: re-read stored content and compare it with what the file rows record.

Every distinct stored object of a live version (withdrawn content is deleted on purpose)
is read once, streaming, and its SHA-256 and size compared with the recorded ones.
The daily run takes the objects checked longest ago first, up to a byte budget, so the
whole store is covered over a cycle. A mismatch or a missing object alerts platform
administrators and the owner's curators, is audited, and is logged at ERROR.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from sciport.accounts.models import Organisation
from sciport.accounts.selectors import people_with_role
from sciport.core import audit, storage
from sciport.datasets.models import Dataset, FixityResult, FixityRun, FixityStatus
from sciport.datasets.permissions import CURATORS
from sciport.datasets.selectors.fixity import files_of, live_files
from sciport.notifications.services import notify

logger = logging.getLogger(__name__)
ALERTING = (FixityStatus.MISMATCH, FixityStatus.MISSING)
ALERT_LISTED_PROBLEMS = 20  # a notification names this many objects; the report page has them all


@dataclass(frozen=True)
class Blob:
    """One stored object as the file rows record it."""

    name: str
    dataset_pk: int
    organisation_pk: int
    size: int
    sha256: str


def blobs_least_recently_checked(dataset: Dataset | None = None) -> QuerySet[Any]:
    """Distinct live objects, never-checked first, then the longest ago; one row per ``blob_name``."""
    last_checked = FixityResult.objects.filter(blob_name=OuterRef("blob_name")).order_by("-checked_at").values("checked_at")[:1]
    files = live_files()
    if dataset is not None:
        files = files.filter(version__dataset=dataset)
    return (
        files.values("blob_name")
        .annotate(
            dataset_pk=Max("version__dataset_id"),
            organisation_pk=Max("version__organisation_id"),
            size=Max("size"),
            sha256=Max("sha256"),
            last_checked=Subquery(last_checked),
        )
        .order_by(F("last_checked").asc(nulls_first=True), "blob_name")
    )


def check_blob(blob: Blob) -> tuple[str, int | None, str, str]:
    """Read the object once: (status, found size, found sha256, detail)."""
    try:
        found = storage.checksum(blob.name)
    except FileNotFoundError:
        return FixityStatus.MISSING, None, "", ""
    except Exception as error:  # noqa: BLE001 — any storage failure is a result to record, not a crash
        return FixityStatus.ERROR, None, "", f"{type(error).__name__}: {error}"[:2000]
    intact = found.size == blob.size and found.sha256 == blob.sha256
    return (FixityStatus.OK if intact else FixityStatus.MISMATCH), found.size, found.sha256, ""


def _still_live(name: str) -> bool:
    """Whether content found missing is still wanted (a withdrawal or discard may have removed it meanwhile)."""
    return live_files().filter(blob_name=name).exists()


def fixity_run(*, trigger: str, dataset: Dataset | None = None, byte_budget: int | None = None) -> FixityRun:
    """Check the live objects (of ``dataset``, or all), least recently checked first, until ``byte_budget`` is read.

    At least one object is checked per run, however large, so the cycle always moves on.
    Results are saved one by one: a run over terabytes keeps what it has done.
    """
    run = FixityRun.objects.create(trigger=trigger, dataset=dataset)
    problems: list[FixityResult] = []
    for row in blobs_least_recently_checked(dataset).iterator():
        if byte_budget is not None and run.blobs_checked and run.bytes_checked + row["size"] > byte_budget:
            break
        blob = Blob(row["blob_name"], row["dataset_pk"], row["organisation_pk"], row["size"], row["sha256"])
        status, found_size, found_sha256, detail = check_blob(blob)
        if status == FixityStatus.MISSING and not _still_live(blob.name):
            continue
        result = FixityResult.objects.create(
            run=run,
            dataset_id=blob.dataset_pk,
            organisation_id=blob.organisation_pk,
            blob_name=blob.name,
            status=status,
            expected_size=blob.size,
            expected_sha256=blob.sha256,
            found_size=found_size,
            found_sha256=found_sha256,
            detail=detail,
            checked_at=timezone.now(),
        )
        run.blobs_checked += 1
        run.bytes_checked += found_size or 0
        if status != FixityStatus.OK:
            problems.append(result)
    run.problems = len(problems)
    run.finished_at = timezone.now()
    run.save(update_fields=["blobs_checked", "bytes_checked", "problems", "finished_at"])
    _report(run, problems)
    return run


def _report(run: FixityRun, problems: list[FixityResult]) -> None:
    """Log every problem; audit and alert on damaged or missing content (read errors may be passing outages)."""
    for problem in problems:
        logger.error(
            "fixity %s: %s of dataset %s (expected %s bytes sha256 %s, found %s bytes sha256 %s) %s",
            problem.status,
            problem.blob_name,
            problem.dataset.public_id,
            problem.expected_size,
            problem.expected_sha256,
            problem.found_size,
            problem.found_sha256 or "-",
            problem.detail,
        )
    alerting = [problem for problem in problems if problem.status in ALERTING]
    by_organisation: dict[int, list[FixityResult]] = defaultdict(list)
    for problem in alerting:
        by_organisation[problem.organisation_id].append(problem)
    for organisation_pk, found in by_organisation.items():
        _alert(run, Organisation.objects.get(pk=organisation_pk), found)


def _alert(run: FixityRun, organisation: Organisation, problems: list[FixityResult]) -> None:
    datasets = {dataset.pk: dataset.public_id for dataset in Dataset.objects.filter(pk__in={p.dataset_id for p in problems})}
    with transaction.atomic():
        for problem in problems:
            audit.record(
                actor="",
                action="dataset.fixity_problem",
                object_type="datasets.dataset",
                object_id=datasets[problem.dataset_id],
                organisation=organisation.public_id,
                after={
                    "run": run.public_id,
                    "blob_name": problem.blob_name,
                    "status": problem.status,
                    "expected_sha256": problem.expected_sha256,
                    "found_sha256": problem.found_sha256,
                    "expected_size": problem.expected_size,
                    "found_size": problem.found_size,
                },
            )
        administrators = get_user_model().objects.filter(is_superuser=True, is_active=True)
        recipients = {user.pk: user for user in [*administrators, *people_with_role(organisation.pk, CURATORS)]}
        listed = [
            {"status": FixityStatus(problem.status).label, "dataset": datasets[problem.dataset_id], "paths": _paths(problem)}
            for problem in problems[:ALERT_LISTED_PROBLEMS]
        ]
        url = settings.SITE_URL + reverse("datasets:fixity")
        notify(
            kind="dataset.fixity_problem",
            recipients=recipients.values(),
            context={
                "organisation": str(organisation),
                "count": len(problems),
                "problems": listed,
                "more": max(0, len(problems) - ALERT_LISTED_PROBLEMS),
                "run": run.public_id,
                "url": url,
            },
            url=url,
        )


def _paths(result: FixityResult) -> list[str]:
    return [f"{row.path} (v{row.version.version_number})" for row in files_of(result)]
