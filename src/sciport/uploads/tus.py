"""The tus 1.0 wire format: headers in, headers out. No state; services do the work."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _

from sciport.core import problems
from sciport.uploads.errors import BadTusRequest, UnsupportedVersion
from sciport.uploads.models import Upload

VERSION = "1.0.0"
EXTENSIONS = ("creation", "creation-with-upload", "termination", "checksum", "expiration")
CHECKSUM_ALGORITHMS = ("sha1", "md5", "sha256")
CONTENT_TYPE = "application/offset+octet-stream"
_METADATA_KEY = re.compile(r"^[!-+\--~]{1,100}$")  # printable ASCII, no space or comma
_DIGITS = re.compile(r"^[0-9]{1,20}$")


@dataclass(frozen=True)
class Checksum:
    """An ``Upload-Checksum``: the algorithm's name and the digest the chunk must have."""

    algorithm: str
    digest: bytes

    def new_hash(self) -> Any:
        return hashlib.new(self.algorithm)


def whole_number(request: HttpRequest, header: str) -> int | None:
    """A non-negative integer header, ``None`` when absent; anything else is a 400."""
    value = request.headers.get(header)
    if value is None:
        return None
    if not _DIGITS.match(value.strip()):
        raise BadTusRequest(_("%(header)s must be a whole number of bytes.") % {"header": header})
    return int(value)


def required_number(request: HttpRequest, header: str) -> int:
    number = whole_number(request, header)
    if number is None:
        raise BadTusRequest(_("The %(header)s header is required.") % {"header": header})
    return number


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs (the value may be absent); values must be UTF-8."""
    metadata: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _space, encoded = pair.partition(" ")
        if not _METADATA_KEY.match(key) or key in metadata:
            raise BadTusRequest(_("Upload-Metadata keys must be unique and hold no spaces or commas."))
        try:
            value = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise BadTusRequest(_("Upload-Metadata values must be Base64 of UTF-8 text.")) from None
        if "\x00" in value:
            raise BadTusRequest(_("Upload-Metadata values must not contain NUL characters."))
        metadata[key] = value
    return metadata


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" if value else key for key, value in metadata.items())


def parse_checksum(request: HttpRequest) -> Checksum | None:
    """``Upload-Checksum: <algorithm> <base64 digest>``; an algorithm we do not offer is a 400, as tus says."""
    header = request.headers.get("Upload-Checksum")
    if header is None:
        return None
    algorithm, _space, encoded = header.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise BadTusRequest(
            _("Upload-Checksum algorithm must be one of %(algorithms)s.") % {"algorithms": ", ".join(CHECKSUM_ALGORITHMS)}
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise BadTusRequest(_("Upload-Checksum must carry a Base64 digest.")) from None
    if len(digest) != hashlib.new(algorithm).digest_size:
        raise BadTusRequest(_("Upload-Checksum has a digest of the wrong length for %(algorithm)s.") % {"algorithm": algorithm})
    return Checksum(algorithm=algorithm, digest=digest)


def has_content(request: HttpRequest) -> bool:
    return request.content_type == CONTENT_TYPE


def expires(moment: datetime) -> str:
    return http_date(moment.timestamp())


def offset_headers(upload: Upload) -> dict[str, str]:
    """What a client needs after creating or patching: how far the server got, and until when it keeps the upload."""
    return {"Upload-Offset": str(upload.offset), "Upload-Expires": expires(upload.expires_at)}


def status_headers(upload: Upload) -> dict[str, str]:
    """The answer to HEAD."""
    headers = {
        "Upload-Offset": str(upload.offset),
        "Upload-Length": str(upload.length),
        "Upload-Metadata": encode_metadata({"target": upload.target, **upload.target_metadata}),
        "Cache-Control": "no-store",
    }
    if upload.offset < upload.length:
        headers["Upload-Expires"] = expires(upload.expires_at)
    return headers


def capabilities() -> dict[str, str]:
    """The answer to OPTIONS."""
    return {
        "Tus-Version": VERSION,
        "Tus-Extension": ",".join(EXTENSIONS),
        "Tus-Max-Size": str(settings.UPLOAD_MAX_BYTES),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }


def answer(status: int, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def speaks_tus(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Router decorator around each whole operation (authentication and errors included).

    Every answer carries ``Tus-Resumable``; a request naming another protocol version
    gets 412 before anything else happens. A request without the header is taken as
    1.0.0, so that plain HTTP tools and the JSON status read work too.
    """

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        version = request.headers.get("Tus-Resumable")
        if version is not None and version.strip() != VERSION and request.method != "OPTIONS":
            error = UnsupportedVersion()
            response = problems.problem(request, status=error.status, slug=error.slug, title=str(error.title))
            response["Tus-Version"] = VERSION
        else:
            response = run(request, *args, **kwargs)
        response["Tus-Resumable"] = VERSION
        return response

    return wrapper
