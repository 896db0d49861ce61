"""Reading preservation reports: runs and current problems, for the owner's curators and platform staff."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from sciport.core import permissions
from sciport.core.errors import PermissionDenied
from sciport.core.permissions import Role
from sciport.datasets.models import DatasetFile, FixityResult, FixityRun, FixityStatus, VersionState


def live_files() -> QuerySet[DatasetFile]:
    """File rows whose content must be stored: every version except withdrawn ones (their content is removed)."""
    return DatasetFile.objects.exclude(version__state=VersionState.WITHDRAWN)


def require_report_reader(user: Any) -> None:
    """Platform staff, or a curator (or administrator) of some organisation; anyone else is refused."""
    if getattr(user, "is_superuser", False):
        return
    if not any(Role.ADMIN in roles or roles & {Role.CURATOR} for roles in permissions.roles_by_organisation(user).values()):
        raise PermissionDenied()


def _visible_results(user: Any) -> QuerySet[FixityResult]:
    return permissions.restrict(FixityResult.objects.all(), user, "view")


def fixity_runs(user: Any) -> QuerySet[FixityRun]:
    """Runs that checked content the reader may see, with ``seen``/``seen_problems`` counted over that content only."""
    require_report_reader(user)
    visible = Q(results__in=_visible_results(user).values("pk"))
    runs = FixityRun.objects.annotate(
        seen=Count("results", filter=visible),
        seen_problems=Count("results", filter=visible & ~Q(results__status=FixityStatus.OK)),
    )
    return runs if user.is_superuser else runs.filter(seen__gt=0)


def fixity_problems(user: Any) -> QuerySet[FixityResult]:
    """Objects whose latest check found a problem and whose content is still wanted, for the reader's organisations."""
    require_report_reader(user)
    newer = FixityResult.objects.filter(blob_name=OuterRef("blob_name"), pk__gt=OuterRef("pk"))
    wanted = live_files().filter(blob_name=OuterRef("blob_name"))
    return (
        _visible_results(user)
        .exclude(status=FixityStatus.OK)
        .filter(~Exists(newer), Exists(wanted))
        .select_related("dataset", "run")
    )


def files_of(result: FixityResult) -> list[DatasetFile]:
    """The live file rows (paths in versions) that use the checked object."""
    rows = live_files().filter(blob_name=result.blob_name).select_related("version")
    return list(rows.order_by("version__version_number", "folder", "name"))
