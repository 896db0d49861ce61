"""The preservation report: the latest fixity run and the stored files found damaged, missing or unreadable."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sciport.core.pagination import paginate_from_query
from sciport.datasets.selectors import fixity as selectors
from sciport.web.errors import page_errors

PROBLEMS_PAGE_SIZE = 50


@require_GET
@login_required
@page_errors
def report(request: HttpRequest) -> HttpResponse:
    """For curators of the owning organisations (and platform staff): only their organisations' content."""
    last_run = selectors.fixity_runs(request.user).select_related("dataset").order_by("-pk").first()
    problems = selectors.fixity_problems(request.user)
    window = paginate_from_query(problems, request, limit=PROBLEMS_PAGE_SIZE, newest_first=True)
    rows = [{"result": result, "files": selectors.files_of(result)} for result in window.items]
    return render(request, "datasets/fixity.html", {"last_run": last_run, "problems": rows, "next_cursor": window.next_cursor})
