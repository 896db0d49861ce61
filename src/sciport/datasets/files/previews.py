"""Previews of file content from a bounded prefix: tables, JSON, text and markdown; images and PDFs are shown by the browser.

Nothing here reads storage: the caller hands in at most ``PREFIX_BYTES`` from the start
of the file and says whether that was all of it. Text is UTF-8 (with or without BOM),
else GB18030 (which covers GBK and GB2312, the usual Chinese spreadsheet exports), else
shown with replacement characters.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from datetime import date
from typing import Any

from markdown_it import MarkdownIt

from sciport.datasets.files import media

PREFIX_BYTES = 256 * 1024
TABLE_ROWS = 100
TABLE_COLUMNS = 100
CELL_CHARS = 500
TEXT_CHARS = 16 * 1024
JSON_CHARS = 64 * 1024
IMAGE_MAX_BYTES = 20 * 1024 * 1024
PDF_MAX_BYTES = 200 * 1024 * 1024

_TABLE_TYPES = {"text/csv", "text/tab-separated-values"}
_JSON_TYPES = {"application/json", "application/ld+json", "application/geo+json"}
_MISSING = {"", "na", "n/a", "nan", "null", "none", "-"}
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


_KIND_BY_TYPE = {
    **dict.fromkeys(_TABLE_TYPES, "table"),
    **dict.fromkeys(_JSON_TYPES, "json"),
    "text/markdown": "markdown",
    "application/yaml": "text",
    "application/xml": "text",
    **dict.fromkeys(media.INLINE_IMAGES, "image"),
    "application/pdf": "pdf",
}
_SIZE_CAPS = {"image": IMAGE_MAX_BYTES, "pdf": PDF_MAX_BYTES}


def kind_of(media_type: str, size: int) -> str:
    """Which preview a file gets: table, json, markdown, text, image, pdf or none (images and PDFs up to a size)."""
    kind = _KIND_BY_TYPE.get(media_type) or ("text" if media_type.startswith("text/") else "none")
    return "none" if size > _SIZE_CAPS.get(kind, size) else kind


def no_preview_reason(media_type: str) -> str:
    """Why a file of this type got no preview: too large for its kind, or a kind we do not preview."""
    return "too_large" if media_type in _KIND_BY_TYPE else "unsupported"


def needs_content(kind: str) -> bool:
    return kind in {"table", "json", "markdown", "text"}


def decode(prefix: bytes, *, complete: bool) -> tuple[str, str]:
    """The text of ``prefix`` and its encoding; a character cut at the end of an incomplete prefix is dropped."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(prefix, final=complete)
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    return codecs.getincrementaldecoder("utf-8")(errors="replace").decode(prefix, final=complete), "unknown"


def build(kind: str, prefix: bytes, *, complete: bool, name: str) -> dict[str, Any]:
    """The preview of a text-like file from its first bytes."""
    if b"\x00" in prefix:
        return none("binary")
    text, encoding = decode(prefix, complete=complete)
    if kind == "table":
        return _table(text, encoding, complete=complete, name=name)
    if kind == "json":
        return _json(text, complete=complete)
    shown = text[:TEXT_CHARS]
    truncated = not complete or len(text) > TEXT_CHARS
    if kind == "markdown":
        return {"kind": "markdown", "text": shown, "html": _markdown.render(shown), "encoding": encoding, "truncated": truncated}
    return {"kind": "text", "text": shown, "encoding": encoding, "truncated": truncated}


def none(reason: str) -> dict[str, Any]:
    return {"kind": "none", "reason": reason}


# --- tables ------------------------------------------------------------------------------------


def _delimiter(text: str, name: str) -> str:
    first_line = text.split("\n", 1)[0]
    if name.lower().endswith((".tsv", ".tab")) and "\t" in first_line:
        return "\t"
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",\t;|").delimiter
    except csv.Error:
        return "\t" if "\t" in first_line and "," not in first_line else ","


def _is_date(value: str) -> bool:
    match = _DATE.match(value)
    if match is None:
        return False
    try:
        date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def column_type(values: list[str]) -> str:
    """int, float, date or text: the narrowest type every present value fits (missing-value markers aside)."""
    present = [value.strip() for value in values if value.strip().lower() not in _MISSING]
    if not present:
        return "text"
    if all(_INT.match(value) for value in present):
        return "int"
    if all(_FLOAT.match(value) for value in present):
        return "float"
    if all(_is_date(value) for value in present):
        return "date"
    return "text"


def _table(text: str, encoding: str, *, complete: bool, name: str) -> dict[str, Any]:
    if not complete:
        text = text[: text.rfind("\n") + 1]  # the last line may be cut short
    delimiter = _delimiter(text, name)
    rows: list[list[str]] = []
    more = not complete
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) > TABLE_ROWS:
                more = True
                break
            rows.append([cell[:CELL_CHARS] for cell in row[:TABLE_COLUMNS]])
    except csv.Error:
        return {"kind": "text", "text": text[:TEXT_CHARS], "encoding": encoding, "truncated": True}
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    columns = [
        {"name": title, "type": column_type([row[index] for row in body if index < len(row)])}
        for index, title in enumerate(header)
    ]
    return {
        "kind": "table",
        "encoding": encoding,
        "delimiter": delimiter,
        "columns": columns,
        "rows": body,
        "truncated": more,
    }


# --- JSON --------------------------------------------------------------------------------------


def _after_string_character(character: str, escaped: bool) -> tuple[bool, bool]:
    """(escaped, still in the string) after ``character`` inside a JSON string."""
    if escaped:
        return False, True
    if character == "\\":
        return True, True
    return False, character != '"'


def _structure(character: str, depth: int) -> tuple[int, str]:
    """(depth, text to write) for a character outside strings."""
    if character in "{[":
        return depth + 1, character + "\n" + "  " * (depth + 1)
    if character in "}]":
        depth = max(0, depth - 1)
        return depth, "\n" + "  " * depth + character
    if character == ",":
        return depth, ",\n" + "  " * depth
    if character == ":":
        return depth, ": "
    return depth, character


def reindent(text: str, limit: int = JSON_CHARS) -> str:
    """Pretty-print JSON text, complete or cut short, up to ``limit`` characters.

    A small tokenizer (strings kept whole, structure re-indented) rather than ``json.loads``,
    so that the first part of a large file reads as well as a small file.
    """
    out: list[str] = []
    length = depth = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            escaped, in_string = _after_string_character(character, escaped)
            piece = character
        elif character in " \t\r\n":
            continue
        else:
            in_string = character == '"'
            depth, piece = _structure(character, depth)
        out.append(piece)
        length += len(piece)
        if length >= limit:
            break
    pretty = "".join(out)[:limit]
    return re.sub(r"([{\[])\n\s*([}\]])", r"\1\2", pretty)  # {} and [] stay on one line


def _json(text: str, *, complete: bool) -> dict[str, Any]:
    valid: bool | None = None
    if complete:
        try:
            json.loads(text)
            valid = True
        except ValueError:
            valid = False
    pretty = reindent(text)
    return {"kind": "json", "text": pretty, "valid": valid, "truncated": not complete or len(pretty) >= JSON_CHARS}
