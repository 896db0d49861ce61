"""Media types of dataset files, from their names, the same on every machine, and which of them a browser may show inline."""

from __future__ import annotations

import mimetypes

# Python's own table only (not /etc/mime.types), plus formats common in research data.
_TABLE = mimetypes.MimeTypes()
for _extension, _type in {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".webp": "image/webp",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".geojson": "application/geo+json",
    ".parquet": "application/vnd.apache.parquet",
    ".r": "text/plain",
    ".tab": "text/tab-separated-values",
}.items():
    _TABLE.add_type(_type, _extension)
_COMPRESSED = {
    "gzip": "application/gzip",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "compress": "application/x-compress",
    "br": "application/x-brotli",
}
OCTET_STREAM = "application/octet-stream"

# Shown in the browser on request (previews); every other type is always a download, so
# that no uploaded HTML, SVG or script ever runs on our origin.
INLINE_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
INLINE_TYPES = INLINE_IMAGES | {"application/pdf", "text/plain"}


def guess(name: str) -> str:
    media_type, encoding = _TABLE.guess_type(name.lower(), strict=False)
    if encoding:
        return _COMPRESSED.get(encoding, OCTET_STREAM)
    return media_type or OCTET_STREAM
