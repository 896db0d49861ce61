"""The folder browser and file previews of a version (landing, draft and review pages), and removing a draft's files.

A folder is shown a page at a time (``selectors.files.folder_listing``, keyset on the
path), so a version with 100,000 files opens as fast as one with ten. Links work without
JavaScript (``?folder=`` on the page itself); htmx swaps just the browser or the preview.
Downloads, ZIPs and bags are the API's (session-authenticated, the same permission rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sciport.core import permissions
from sciport.core.errors import Conflict, NotFound, ValidationFailed
from sciport.datasets.files import paths
from sciport.datasets.models import DatasetVersion, PrivateLink, VersionState
from sciport.datasets.selectors import access
from sciport.datasets.selectors import files as selectors
from sciport.datasets.services import files as services
from sciport.datasets.services import private_links
from sciport.web.errors import page_errors

PAGE_SIZE = 50
API = "/api/v1"

# What upload.js says, in the page's language (``%(name)s`` placeholders are filled in by the script).
UPLOAD_MESSAGES = {
    "waiting": gettext_lazy("Waiting…"),
    "checking": gettext_lazy("Asking the server how far it got…"),
    "uploading": gettext_lazy("%(percent)s %% · %(sent)s of %(total)s"),
    "paused": gettext_lazy("Paused at %(percent)s %%"),
    "retrying": gettext_lazy("Connection lost; trying again in %(seconds)s s…"),
    "offline": gettext_lazy("the server could not be reached; press Resume to try again"),
    "attaching": gettext_lazy("Adding it to the dataset…"),
    "done": gettext_lazy("Uploaded and added to the dataset."),
    "failed": gettext_lazy("Not uploaded: %(reason)s"),
    "not_attached": gettext_lazy("Uploaded, but it could not be added to the dataset."),
    "cancelled": gettext_lazy("Cancelled."),
    "pause": gettext_lazy("Pause"),
    "resume": gettext_lazy("Resume"),
    "cancel": gettext_lazy("Cancel"),
    "progress_label": gettext_lazy("Upload of %(name)s"),
    "unfinished": gettext_lazy("%(count)s unfinished uploads of this draft: choose or drop the same files to continue them."),
}


@dataclass(frozen=True)
class Crumb:
    name: str
    folder: str


def _crumbs(folder: str) -> list[Crumb]:
    parts = folder.split("/") if folder else []
    return [Crumb(name, "/".join(parts[: index + 1])) for index, name in enumerate(parts)]


def _link_query(token: str) -> str:
    return f"link={token}" if token else ""


def browser_context(
    request: HttpRequest,
    version: DatasetVersion,
    *,
    folder: str | None = None,
    link: PrivateLink | None = None,
    token: str = "",
) -> dict[str, Any]:
    """One page of a folder (by default the one in the query, ``folder`` and ``cursor``), with the links the reader may use."""
    cursor = request.GET.get("cursor") or None if folder is None else None
    folder = request.GET.get("folder", "") if folder is None else folder
    try:
        folder = paths.clean_folder(folder)
        listing = selectors.folder_listing(version, folder=folder, cursor=cursor, limit=PAGE_SIZE)
    except (ValidationFailed, NotFound):
        folder = ""
        listing = selectors.folder_listing(version, folder="", cursor=None, limit=PAGE_SIZE)
    link_query = _link_query(token)
    user = request.user
    can_change = bool(
        not token and version.state == VersionState.DRAFT and user.is_authenticated and permissions.can(user, "edit", version)
    )
    return {
        "browser_folder": folder,
        "crumbs": _crumbs(folder),
        "listing": listing,
        "next_query": urlencode({"folder": folder, "cursor": listing.next_cursor, **({"link": token} if token else {})})
        if listing.next_cursor
        else "",
        "may_download": access.can_download(request.user, version, link),
        "link_token": token,
        "link_query": link_query,
        "archive_url": f"{API}/versions/{version.public_id}/archive.zip" + (f"?{link_query}" if link_query else ""),
        "bag_url": f"{API}/versions/{version.public_id}/bag.zip" + (f"?{link_query}" if link_query else ""),
        "browser_url": reverse("datasets:file_browser", args=[version.public_id]),
        "can_change_files": can_change,
        "upload_messages": {key: str(text) for key, text in UPLOAD_MESSAGES.items()} if can_change else {},
    }


def _version_for(request: HttpRequest, version_id: str) -> tuple[DatasetVersion, PrivateLink | None, str]:
    """The version, read by its reader or through a reviewer's link token (``?link=``)."""
    token = request.GET.get("link", "") or request.POST.get("link", "")
    link = private_links.link_from_token(token) if token else None
    version = access.readable_version(request.user, version_id, link)
    return version, link, token if link is not None else ""


@require_GET
@page_errors
def file_browser(request: HttpRequest, version_id: str) -> HttpResponse:
    """The browser alone (for htmx); without htmx, the version's page opened at that folder."""
    version, link, token = _version_for(request, version_id)
    if not request.htmx:  # type: ignore[attr-defined]
        page = reverse("datasets:review", args=[token]) if token else reverse("datasets:version", args=[version.public_id])
        query = urlencode({key: value for key, value in request.GET.items() if key in ("folder", "cursor")})
        return redirect(f"{page}?{query}#files")
    context = {"version": version, **browser_context(request, version, link=link, token=token)}
    return render(request, "datasets/_file_browser.html", context)


@require_GET
@page_errors
def file_preview(request: HttpRequest, file_id: str) -> HttpResponse:
    """The preview panel of one file: a table with column types, JSON, text, markdown, an image or a PDF."""
    token = request.GET.get("link", "")
    link = private_links.link_from_token(token) if token else None
    file = selectors.file_get(request.user, file_id, link)
    selectors.require_download(request.user, file.version, link)
    preview = selectors.preview_of(file)
    link_query = _link_query(token if link else "")
    content_url = f"{API}/files/{file.public_id}/content"
    context = {
        "file": file,
        "preview": preview,
        "download_url": content_url + (f"?{link_query}" if link_query else ""),
        "inline_url": f"{content_url}?inline=true" + (f"&{link_query}" if link_query else ""),
    }
    template = "datasets/_preview.html" if request.htmx else "datasets/preview_page.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_POST
@login_required
@page_errors
def file_delete(request: HttpRequest, file_id: str) -> HttpResponse:
    """Remove a file from a draft, then show the folder it was in."""
    file = selectors.file_get(request.user, file_id)
    version = file.version
    try:
        services.version_delete_file(actor=request.user, file=file)
    except Conflict as error:
        messages.error(request, str(error))
    folder = file.folder
    if request.htmx:  # type: ignore[attr-defined]
        version.refresh_from_db()
        context = {"version": version, **browser_context(request, version, folder=folder)}
        return render(request, "datasets/_file_browser.html", context)
    messages.success(request, _("The file %(name)s was removed.") % {"name": file.name})
    return redirect(reverse("datasets:edit", args=[version.public_id]) + "?" + urlencode({"folder": folder}) + "#files")
