"""/api/v1/uploads/: a tus 1.0 server; /api/v1/multipart-uploads: S3 direct upload through presigned part URLs.

The tus operations take no body parameter, so django-ninja never reads the body: the
service streams it with ``request.read`` in bounded pieces.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from sciport.core.idempotency import idempotent
from sciport.uploads import openapi, schemas, selectors, services, tus
from sciport.uploads.errors import BadTusRequest, UnsupportedMediaType
from sciport.uploads.models import Upload

tus_router = Router(tags=["uploads"])
tus_router.add_decorator(tus.speaks_tus, mode="view")
multipart_router = Router(tags=["uploads"])
router = Router()
router.add_router("", tus_router)
router.add_router("", multipart_router)


def _out(upload: Upload) -> dict[str, Any]:
    return {
        "id": upload.public_id,
        "protocol": upload.protocol,
        "target": upload.target,
        "metadata": upload.target_metadata,
        "length": upload.length,
        "offset": upload.offset,
        "state": upload.state,
        "sha256": upload.sha256,
        "md5": upload.md5,
        "expires_at": upload.expires_at,
        "created_at": upload.created_at,
        "completed_at": upload.completed_at,
    }


def _append(request: HttpRequest, upload: Upload, offset: int, *, has_body: bool = True) -> Upload:
    """Stream this request's body (if it has one) into the upload at ``offset``."""
    count = tus.whole_number(request, "Content-Length") if has_body else 0
    if count is None:
        raise BadTusRequest(_("Send a Content-Length with every chunk."))
    return services.upload_append(
        actor=request.user, upload=upload, offset=offset, read=request.read, count=count, checksum=tus.parse_checksum(request)
    )


@tus_router.api_operation(
    ["OPTIONS"],
    "/uploads/",
    auth=None,
    response={204: None},
    summary="What this tus server supports",
    openapi_extra=openapi.operation(
        parameters=[],
        success=204,
        description="Tus-Version, Tus-Extension, Tus-Max-Size and Tus-Checksum-Algorithm.",
        headers=("Tus-Version", "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm"),
    ),
)
def tus_options(request: HttpRequest) -> HttpResponse:
    return tus.answer(204, tus.capabilities())


@tus_router.post(
    "/uploads/",
    response={201: None},
    summary="Create a tus upload, optionally with its first chunk",
    openapi_extra=openapi.operation(
        parameters=[openapi.UPLOAD_LENGTH, openapi.UPLOAD_METADATA, openapi.UPLOAD_CHECKSUM],
        success=201,
        description="Created; Location is the upload's URL. With a first chunk, Upload-Offset says how much was kept.",
        headers=("Location", "Upload-Offset", "Upload-Expires"),
        problems=(400, 412, 413, 460),
        chunk_body=True,
    ),
)
def tus_create(request: HttpRequest) -> HttpResponse:
    length = tus.required_number(request, "Upload-Length")
    metadata = tus.parse_metadata(request.headers.get("Upload-Metadata", ""))
    tus.parse_checksum(request)  # a malformed checksum is refused before anything is created
    target = metadata.pop("target", "")
    upload = services.upload_create(actor=request.user, target=target, metadata=metadata, length=length)
    if tus.has_content(request) or length == 0:
        upload = _append(request, upload, offset=0, has_body=tus.has_content(request))
    # A path, not a URL: right behind any proxy, whatever scheme and host the client used.
    return tus.answer(201, {"Location": f"{request.path}{upload.public_id}", **tus.offset_headers(upload)})


@tus_router.api_operation(
    ["HEAD"],
    "/uploads/{upload_id}",
    response={200: None},
    summary="How much of a tus upload the server holds",
    openapi_extra=openapi.operation(
        parameters=[],
        success=200,
        description="Upload-Offset is where the next chunk starts.",
        headers=("Upload-Offset", "Upload-Length", "Upload-Metadata", "Upload-Expires", "Cache-Control"),
        problems=(412,),
    ),
)
def tus_head(request: HttpRequest, upload_id: str) -> HttpResponse:
    return tus.answer(200, tus.status_headers(selectors.tus_upload_for_owner(request.user, upload_id)))


@tus_router.patch(
    "/uploads/{upload_id}",
    response={204: None},
    summary="Send the next chunk of a tus upload",
    openapi_extra=openapi.operation(
        parameters=[openapi.UPLOAD_OFFSET, openapi.UPLOAD_CHECKSUM],
        success=204,
        description="Kept; Upload-Offset is the new offset. The last chunk puts the file in storage and hands it to its target.",
        headers=("Upload-Offset", "Upload-Expires"),
        problems=(400, 409, 412, 413, 415, 423, 460),
        chunk_body=True,
    ),
)
def tus_patch(request: HttpRequest, upload_id: str) -> HttpResponse:
    upload = selectors.tus_upload_for_owner(request.user, upload_id)
    if not tus.has_content(request):
        raise UnsupportedMediaType()
    upload = _append(request, upload, offset=tus.required_number(request, "Upload-Offset"))
    return tus.answer(204, tus.offset_headers(upload))


@tus_router.delete(
    "/uploads/{upload_id}",
    response={204: None},
    summary="Terminate an upload (tus or multipart) and free what it holds",
    openapi_extra=openapi.operation(parameters=[], success=204, description="Terminated.", problems=(412, 423)),
)
def upload_terminate(request: HttpRequest, upload_id: str) -> HttpResponse:
    services.upload_terminate(actor=request.user, upload=selectors.upload_for_owner(request.user, upload_id))
    return tus.answer(204, {})


@tus_router.get(
    "/uploads/{upload_id}",
    response=schemas.UploadOut,
    summary="One of my uploads, as JSON (state, offset, checksums)",
    openapi_extra=openapi.problem_statuses(412),
)
def upload_detail(request: HttpRequest, upload_id: str) -> dict[str, Any]:
    return _out(selectors.upload_for_owner(request.user, upload_id))


@multipart_router.post(
    "/multipart-uploads",
    response={201: schemas.MultipartOut},
    summary="Start an S3 multipart upload with presigned part URLs (S3 storage only)",
    openapi_extra=openapi.problem_statuses(413),
)
@idempotent
def multipart_create(request: HttpRequest, payload: schemas.MultipartIn) -> Status:
    upload = services.multipart_create(
        actor=request.user, file_name=payload.file_name, length=payload.size, target=payload.target, metadata=payload.metadata
    )
    parts = services.multipart_part_urls(actor=request.user, upload=upload)
    body = {
        "id": upload.public_id,
        "part_size": upload.part_size,
        "part_count": services.part_count(upload),
        "parts": parts,
        "expires_at": upload.expires_at,
    }
    return Status(201, body)


@multipart_router.get(
    "/multipart-uploads/{upload_id}/parts",
    response=schemas.PartUrlsOut,
    summary="More presigned part URLs, from part `first` on",
)
def multipart_parts(request: HttpRequest, upload_id: str, first: int = 1) -> dict[str, Any]:
    upload = selectors.upload_for_owner(request.user, upload_id)
    parts = services.multipart_part_urls(actor=request.user, upload=upload, first=first)
    last = parts[-1].number
    return {"parts": parts, "next_part": last + 1 if last < services.part_count(upload) else None}


@multipart_router.post(
    "/multipart-uploads/{upload_id}/complete",
    response=schemas.UploadOut,
    summary="Assemble the parts; the server checksums the file and hands it to its target",
)
def multipart_complete(request: HttpRequest, upload_id: str, payload: schemas.MultipartCompleteIn) -> dict[str, Any]:
    upload = selectors.upload_for_owner(request.user, upload_id)
    parts = [(part.number, part.etag) for part in payload.parts]
    return _out(services.multipart_complete(actor=request.user, upload=upload, parts=parts))
