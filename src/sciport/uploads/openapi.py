"""OpenAPI text for the tus operations, which speak in headers and answer with tus's own status codes."""

from __future__ import annotations

from typing import Any

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_STATUSES = {
    400: "A tus header is missing or malformed, or a checksummed chunk ended early.",
    409: "Upload-Offset differs from what the server holds (ask with HEAD), or the upload is complete.",
    412: "Tus-Resumable names a version other than 1.0.0; Tus-Version lists what the server speaks.",
    413: "Larger than Tus-Max-Size, the target's quota, or the announced Upload-Length; `detail` names the limit.",
    415: "A chunk must be sent as application/offset+octet-stream.",
    423: "Another request is writing to this upload right now.",
    460: "The chunk does not match its Upload-Checksum; nothing of it was kept.",
}


def _header(name: str, description: str, *, required: bool = False, integer: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": 0} if integer else {"type": "string"}
    return {"name": name, "in": "header", "required": required, "schema": schema, "description": description}


TUS_RESUMABLE = {
    "name": "Tus-Resumable",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "enum": ["1.0.0"]},
    "description": "The tus version the client speaks; every answer carries it too.",
}
UPLOAD_LENGTH = _header("Upload-Length", "Size of the whole file in bytes.", required=True, integer=True)
UPLOAD_METADATA = _header(
    "Upload-Metadata",
    "Comma-separated `key base64(value)` pairs. `target` names who takes the file (e.g. `dataset`); "
    "the target reads the rest (e.g. `filename`, `dataset`).",
)
UPLOAD_OFFSET = _header("Upload-Offset", "Where this chunk starts: the offset HEAD reported.", required=True, integer=True)
UPLOAD_CHECKSUM = _header(
    "Upload-Checksum", "`sha1|md5|sha256 base64(digest of this chunk)`; a mismatch discards the chunk (460)."
)


def _response_headers(*names: str) -> dict[str, Any]:
    return {name: {"schema": {"type": "string"}} for name in ("Tus-Resumable", *names)}


def operation(
    *,
    parameters: list[dict[str, Any]],
    success: int,
    description: str,
    headers: tuple[str, ...] = (),
    problems: tuple[int, ...] = (),
    chunk_body: bool = False,
) -> dict[str, Any]:
    """``openapi_extra`` of a tus operation: its header parameters, its answer headers and its tus error statuses."""
    extra: dict[str, Any] = {
        "parameters": [TUS_RESUMABLE, *parameters],
        "responses": {
            success: {"description": description, "headers": _response_headers(*headers)},
            **{str(status): {"description": _STATUSES[status], "content": _PROBLEM} for status in problems},
        },
    }
    if chunk_body:
        extra["requestBody"] = {
            "required": False,
            "content": {"application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    return extra


def problem_statuses(*statuses: int) -> dict[str, Any]:
    """``openapi_extra`` for a JSON operation that can also give some of the tus statuses (413 for quotas)."""
    return {"responses": {str(status): {"description": _STATUSES[status], "content": _PROBLEM} for status in statuses}}
