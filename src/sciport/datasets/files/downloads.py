"""HTTP answers that carry file content: one file (Range, ETag, 304, 416), a streaming ZIP, a BagIt bag.

Content always streams through the application from ``core.storage``, also on S3
(ranged GETs), rather than redirecting to a presigned S3 URL: access is decided on every
request (a withdrawal or an expired grant takes effect at once), the object store may
sit on a private network, and one code path serves Range, ETag and the file's name
the same way on both backends. A reverse proxy can still cache or offload it.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from sciport.core import problems, storage
from sciport.core.errors import NotFound
from sciport.datasets.files import media, ranges
from sciport.datasets.models import DatasetFile

logger = logging.getLogger(__name__)
ZIP_TYPE = "application/zip"
# Pieces of 64 KiB stay in the CPU cache between the read and the server's copy to the
# socket, and below malloc's mmap threshold; 1 MiB pieces halved download throughput.
DOWNLOAD_CHUNK = 64 * 1024


def etag(file: DatasetFile) -> str:
    """Strong validator: the content's SHA-256, the same on every server and after every move."""
    return f'"{file.sha256}"'


def _matches(header: str, tag: str) -> bool:
    candidates = {candidate.strip().removeprefix("W/") for candidate in header.split(",")}
    return "*" in candidates or tag in candidates


def _headers(response: HttpResponseBase, file: DatasetFile, *, inline: bool) -> None:
    shown_inline = inline and file.media_type in media.INLINE_TYPES
    response["ETag"] = etag(file)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-cache"  # revalidate (304) so that a withdrawal is seen at once
    response["Content-Disposition"] = content_disposition_header(not shown_inline, file.name) or "attachment"
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(file.sha256)).decode()}:"


def _chunks(file: DatasetFile, byte_range: ranges.ByteRange | None) -> Iterator[bytes]:
    try:
        if byte_range is None:
            return storage.open_chunks(file.blob_name, DOWNLOAD_CHUNK)
        return storage.open_chunks(file.blob_name, DOWNLOAD_CHUNK, start=byte_range.start, length=byte_range.length)
    except FileNotFoundError:
        logger.error("content of %s (%s) is missing from storage", file.public_id, file.blob_name)
        raise NotFound(_("The content of this file is missing; the operators have been told.")) from None


def file_response(request: HttpRequest, file: DatasetFile, *, inline: bool = False) -> HttpResponseBase:
    """The file, whole or one byte range, or 304 / 416; HEAD gets the same headers without content."""
    tag = etag(file)
    if _matches(request.headers.get("If-None-Match", ""), tag):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = tag
        return not_modified
    range_header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != tag:
        range_header = None  # the client's copy is of other content: send it all
    try:
        byte_range = ranges.parse(range_header, file.size)
    except ranges.Unsatisfiable:
        return problems.problem(
            request,
            status=416,
            slug="range-not-satisfiable",
            title=_("The requested range is outside the file."),
            headers={"Content-Range": f"bytes */{file.size}"},
        )
    content_type = file.media_type or media.OCTET_STREAM
    body: Iterable[bytes] = [] if request.method == "HEAD" else _chunks(file, byte_range)
    response = StreamingHttpResponse(body, status=206 if byte_range else 200, content_type=content_type)
    response["Content-Length"] = str(byte_range.length if byte_range else file.size)
    if byte_range:
        response["Content-Range"] = byte_range.content_range
    _headers(response, file, inline=inline)
    return response


def zip_response(chunks: Iterator[bytes], download_name: str) -> StreamingHttpResponse:
    """A ZIP streamed as it is made; its length is not known ahead, so it goes chunked."""
    response = StreamingHttpResponse(chunks, content_type=ZIP_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, download_name) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response
