"""Files of dataset versions: listing, adding from uploads, moving, deleting, folders, downloads and previews.

Downloads answer with the bytes, not JSON: ``/files/{file_id}/content`` (Range, ETag,
304, 416), ``/versions/{version_id}/archive.zip`` (a streaming ZIP with a SHA-256
manifest) and ``/versions/{version_id}/bag.zip`` (a BagIt bag, zipped). Every read takes
an optional ``link``: the token of a reviewer's private link.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Status

from sciport.accounts.auth import OPTIONAL_AUTH_DOC, optional_auth
from sciport.core.idempotency import idempotent
from sciport.datasets.files import archives, downloads, paths
from sciport.datasets.models import DatasetFile, DatasetVersion, PrivateLink
from sciport.datasets.schemas import files as schemas
from sciport.datasets.selectors import access
from sciport.datasets.selectors import files as selectors
from sciport.datasets.selectors.versions import version_get
from sciport.datasets.services import files as services
from sciport.datasets.services import private_links, upload_target
from sciport.datasets.usage import recording
from sciport.uploads.selectors import upload_for_owner

router = Router(tags=["datasets"])
_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
ADDED_SHOWN = 200


def _problems(**statuses: str) -> dict[str, Any]:
    return {status.removeprefix("s"): {"description": text, "content": _PROBLEM} for status, text in statuses.items()}


TOO_LARGE = _problems(s413="Past the version's file-count or byte limit; `detail` names the limit.")
GONE = _problems(s410="The version was withdrawn; `detail` gives the date and reason (the tombstone).")


def _extra(auth_doc: bool = False, **responses: Any) -> dict[str, Any]:
    extra: dict[str, Any] = {"responses": responses}
    if auth_doc:
        extra.update(OPTIONAL_AUTH_DOC)
    return extra


def _link(token: str) -> PrivateLink | None:
    return private_links.link_from_token(token) if token else None


class _FileUrls:
    """The URLs of a file's content and preview, reversed once per answer rather than twice per file."""

    _MARKER = "fil_marker"

    def __init__(self) -> None:
        self.content = reverse("api:dataset_file_content", args=[self._MARKER])
        self.preview = reverse("api:dataset_file_preview", args=[self._MARKER])

    def of(self, file: DatasetFile) -> tuple[str, str]:
        return self.content.replace(self._MARKER, file.public_id), self.preview.replace(self._MARKER, file.public_id)


def file_out(file: DatasetFile, version: DatasetVersion | None = None, urls: _FileUrls | None = None) -> dict[str, Any]:
    version = version or file.version
    content_url, preview_url = (urls or _FileUrls()).of(file)
    return {
        "type": "file",
        "id": file.public_id,
        "version_id": version.public_id,
        "name": file.name,
        "folder": file.folder,
        "path": file.path,
        "size": file.size,
        "sha256": file.sha256,
        "md5": file.md5,
        "media_type": file.media_type,
        "created_at": file.created_at,
        "content_url": content_url,
        "preview_url": preview_url,
    }


def _folder_out(parent: str, name: str) -> dict[str, Any]:
    return {"type": "folder", "name": name, "path": paths.join(parent, name), "parent": parent}


# --- listing and metadata ----------------------------------------------------------------------


@router.get(
    "/versions/{version_id}/files",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=schemas.FileListingOut,
    summary="One folder of a version: sub-folders, then files, by name (cursor pages)",
)
def file_list(
    request: HttpRequest, version_id: str, *, folder: str = "", cursor: str | None = None, limit: int = 100, link: str = ""
) -> dict[str, Any]:
    version = access.readable_version(request.user, version_id, _link(link))
    clean = paths.clean_folder(folder)
    listing = selectors.folder_listing(version, folder=clean, cursor=cursor, limit=limit)
    urls = _FileUrls()
    items = [_folder_out(f.parent, f.name) for f in listing.folders] + [file_out(f, version, urls) for f in listing.files]
    return {
        "version_id": version.public_id,
        "folder": clean,
        "file_count": version.file_count,
        "total_bytes": version.total_bytes,
        "items": items,
        "next_cursor": listing.next_cursor,
    }


@router.post(
    "/versions/{version_id}/files",
    response={201: schemas.FileAddOut},
    openapi_extra=_extra(**TOO_LARGE),
    summary="Add a complete upload to a draft as a file, or unpack a ZIP upload into it",
)
@idempotent
def file_add(request: HttpRequest, version_id: str, payload: schemas.FileAddIn) -> Status[dict[str, Any]]:
    version = version_get(request.user, version_id, "edit")
    upload = upload_for_owner(request.user, payload.upload_id)
    added = upload_target.attach(
        actor=request.user,
        version=version,
        upload=upload,
        path=payload.path,
        unpack=payload.unpack,
        keep_archive=payload.keep_archive,
        duplicates=payload.duplicates,
    )
    urls = _FileUrls()
    return Status(
        201,
        {
            "added": len(added.files),
            "files": [file_out(f, version, urls) for f in added.files[:ADDED_SHOWN]],
            "duplicates": [{"path": path, "same_content_as": same} for path, same in added.duplicates.items()],
        },
    )


@router.get(
    "/files/{file_id}",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=schemas.FileOut,
    summary="One file's name, size, checksums and type",
)
def file_detail(request: HttpRequest, file_id: str, link: str = "") -> dict[str, Any]:
    return file_out(selectors.file_get(request.user, file_id, _link(link)))


@router.patch("/files/{file_id}", response=schemas.FileOut, summary="Rename a draft's file or move it to another folder")
def file_move(request: HttpRequest, file_id: str, payload: schemas.FilePatchIn) -> dict[str, Any]:
    file = selectors.file_get(request.user, file_id)
    return file_out(services.version_move_file(actor=request.user, file=file, path=payload.path))


@router.delete("/files/{file_id}", response={204: None}, summary="Remove a file from a draft")
def file_delete(request: HttpRequest, file_id: str) -> Status[None]:
    services.version_delete_file(actor=request.user, file=selectors.file_get(request.user, file_id))
    return Status(204, None)


# --- folders -----------------------------------------------------------------------------------


@router.post("/versions/{version_id}/folders", response={201: schemas.FolderOut}, summary="Make a folder in a draft")
def folder_create(request: HttpRequest, version_id: str, payload: schemas.FolderIn) -> Status[dict[str, Any]]:
    version = version_get(request.user, version_id)
    created = services.folder_create(actor=request.user, version=version, path=payload.path)
    parent, _slash, name = created.rpartition("/")
    return Status(201, _folder_out(parent, name))


@router.delete(
    "/versions/{version_id}/folders",
    response=schemas.FolderDeleteOut,
    summary="Remove a folder of a draft; with recursive=true, its files and sub-folders too",
)
def folder_delete(request: HttpRequest, version_id: str, path: str = "", recursive: bool = False) -> dict[str, Any]:
    version = version_get(request.user, version_id)
    removed = services.folder_delete(actor=request.user, version=version, path=path, recursive=recursive)
    return {"path": paths.clean_folder(path, field="path"), "files_removed": removed}


# --- content -----------------------------------------------------------------------------------

_CONTENT_HEADERS = {
    name: {"schema": {"type": "string"}, "description": text}
    for name, text in {
        "ETag": "The content's SHA-256, quoted; send it back in If-None-Match for a 304.",
        "Accept-Ranges": "bytes",
        "Content-Disposition": "attachment (or inline for images, PDFs and plain text with inline=true), with the UTF-8 file name.",
        "Repr-Digest": "RFC 9530 SHA-256 of the whole file.",
    }.items()
}
_CONTENT_RESPONSES: dict[str, Any] = {
    "200": {"description": "The whole file.", "content": {"*/*": _BINARY}, "headers": _CONTENT_HEADERS},
    "206": {
        "description": "One byte range (a single `Range: bytes=a-b`); multiple ranges get the whole file.",
        "content": {"*/*": _BINARY},
        "headers": {**_CONTENT_HEADERS, "Content-Range": {"schema": {"type": "string"}}},
    },
    "304": {"description": "If-None-Match matched the ETag.", "headers": {"ETag": {"schema": {"type": "string"}}}},
    **_problems(s416="The range starts past the end; Content-Range gives the size."),
    **GONE,
}


_HEAD_RESPONSES: dict[str, Any] = {
    "200": {"description": "The headers of the whole file, no content.", "headers": _CONTENT_HEADERS},
    "304": _CONTENT_RESPONSES["304"],
    **GONE,
}


def _readable_file(request: HttpRequest, file_id: str, link: str) -> DatasetFile:
    private_link = _link(link)
    file = selectors.file_get(request.user, file_id, private_link)
    selectors.require_download(request.user, file.version, private_link)
    return file


@router.get(
    "/files/{file_id}/content",
    auth=optional_auth,
    url_name="dataset_file_content",
    openapi_extra=_extra(auth_doc=True, **_CONTENT_RESPONSES),
    summary="Download a file (HTTP Range, ETag and If-None-Match supported)",
)
def file_content(request: HttpRequest, file_id: str, link: str = "", inline: bool = False) -> HttpResponseBase:
    file = _readable_file(request, file_id, link)
    return recording.count_download(request, file.version, file.public_id, downloads.file_response(request, file, inline=inline))


@router.api_operation(
    ["HEAD"],
    "/files/{file_id}/content",
    auth=optional_auth,
    openapi_extra=_extra(auth_doc=True, **_HEAD_RESPONSES),
    summary="A file's size, type and ETag without its content (download managers ask this first)",
)
def file_content_head(request: HttpRequest, file_id: str, link: str = "") -> HttpResponseBase:
    return downloads.file_response(request, _readable_file(request, file_id, link))


@router.get(
    "/files/{file_id}/preview",
    auth=optional_auth,
    url_name="dataset_file_preview",
    openapi_extra=_extra(auth_doc=True, **GONE),
    response=schemas.PreviewOut,
    summary="A preview: first rows of a table, JSON, text or markdown; images and PDFs link to inline content",
)
def file_preview(request: HttpRequest, file_id: str, link: str = "") -> dict[str, Any]:
    file = _readable_file(request, file_id, link)
    preview = selectors.preview_of(file)
    if preview["kind"] in ("image", "pdf"):
        url = reverse("api:dataset_file_content", args=[file.public_id]) + "?inline=true"
        preview["url"] = url + (f"&link={link}" if link else "")
    return preview


_SELECTION = Query([], alias="paths", description="Files and folders to include (repeat the parameter); none means all.")
_ZIP_RESPONSES: dict[str, Any] = {
    "200": {
        "description": "A ZIP, streamed as it is made (chunked; no Content-Length).",
        "content": {"application/zip": _BINARY},
    },
    **GONE,
}


@router.get(
    "/versions/{version_id}/archive.zip",
    auth=optional_auth,
    openapi_extra=_extra(auth_doc=True, **_ZIP_RESPONSES),
    summary="Download a version, or the selected files and folders, as one ZIP with a SHA-256 manifest",
)
def version_archive(request: HttpRequest, version_id: str, paths_: list[str] = _SELECTION, link: str = "") -> HttpResponseBase:
    private_link = _link(link)
    version = access.readable_version(request.user, version_id, private_link)
    selection = selectors.clean_selection(paths_)
    selectors.require_download(request.user, version, private_link)
    chunks = archives.zip_stream(version, selectors.archive_files(version, selection))
    return recording.count_download(
        request, version, "archive.zip", downloads.zip_response(chunks, f"{archives.top_folder(version)}.zip")
    )


@router.get(
    "/versions/{version_id}/bag.zip",
    auth=optional_auth,
    openapi_extra=_extra(auth_doc=True, **_ZIP_RESPONSES),
    summary="Download a version as a BagIt 1.0 bag (RFC 8493), zipped",
)
def version_bag(request: HttpRequest, version_id: str, link: str = "") -> HttpResponseBase:
    private_link = _link(link)
    version = access.readable_version(request.user, version_id, private_link)
    selectors.require_download(request.user, version, private_link)
    chunks = archives.bag_stream(
        version, selectors.archive_files(version, []), created=timezone.now(), site_url=settings.SITE_URL
    )
    return recording.count_download(
        request, version, "bag.zip", downloads.zip_response(chunks, f"{archives.top_folder(version)}-bag.zip")
    )
