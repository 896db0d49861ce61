"""Curation: the queue of submitted deposits, the review page of one version, and the conversation with its depositors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sciport.core.errors import ValidationFailed
from sciport.core.pagination import paginate_from_query
from sciport.datasets import metadata as metadata_rules
from sciport.datasets.selectors import versions as selectors
from sciport.datasets.services import lifecycle
from sciport.datasets.views import common, files, presenting
from sciport.web.errors import page_errors

QUEUE_PAGE_SIZE = 50


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Deposits waiting in the organisations where the reader curates, oldest first."""
    waiting = selectors.curation_queue(request.user).select_related("dataset__community", "created_by")
    window = paginate_from_query(waiting, request, limit=QUEUE_PAGE_SIZE)
    return render(request, "datasets/curation_queue.html", {"versions": window.items, "next_cursor": window.next_cursor})


@require_GET
@login_required
@page_errors
def review(request: HttpRequest, version_id: str) -> HttpResponse:
    """One deposit as the curator sees it: the record, what is still missing, the files, the conversation, the decisions."""
    version = selectors.version_get(request.user, version_id, "curate")
    missing = metadata_rules.missing_for_publication(version.metadata)
    context = (
        common.version_context(request, version)
        | presenting.record(version, request.LANGUAGE_CODE)
        | files.browser_context(request, version)
        | {"missing": missing, "comments": selectors.comments_of(version), "can_comment": True}
    )
    return render(request, "datasets/review.html", context)


@require_POST
@login_required
@page_errors
def comment(request: HttpRequest, version_id: str) -> HttpResponse:
    """A remark in the curation conversation, by a depositor or a curator."""
    version = selectors.version_get(request.user, version_id)
    back = common.safe_next(request, reverse("datasets:edit", args=[version.public_id]))
    try:
        lifecycle.version_comment(actor=request.user, version=version, body=request.POST.get("body", ""))  # type: ignore[arg-type]
    except ValidationFailed as error:
        messages.error(request, " ".join(str(e.message) for e in error.errors) or str(error))
    else:
        messages.success(request, _("Your comment was added."))
    return redirect(back)
