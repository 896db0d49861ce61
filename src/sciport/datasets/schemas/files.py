"""Request and response shapes of dataset files, folders and previews."""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel


class FileOut(BaseModel):
    """One file. A plain pydantic model, as listing items are: ninja's ``Schema`` reads every value through an
    attribute getter, which costs half of a 100-item page; these are always built from dicts."""

    type: Literal["file"] = "file"
    id: str
    version_id: str
    name: str
    folder: str = Field(description="The folder's path; empty at the top of the dataset.")
    path: str
    size: int
    sha256: str
    md5: str
    media_type: str
    created_at: datetime
    content_url: str = Field(description="Download (HTTP Range and ETag supported).")
    preview_url: str


class FolderItemOut(BaseModel):
    type: Literal["folder"] = "folder"
    name: str
    path: str


ListingItem = Annotated[FolderItemOut | FileOut, Field(discriminator="type")]


class FileListingOut(Schema):
    version_id: str
    folder: str
    file_count: int = Field(description="Files in the whole version.")
    total_bytes: int = Field(description="Bytes in the whole version.")
    items: list[ListingItem] = Field(description="Sub-folders by name, then files by name.")
    next_cursor: str | None = None


class FileAddIn(Schema):
    upload_id: str = Field(..., max_length=40, description="A complete upload of yours (tus or S3 multipart).")
    path: str = Field(..., max_length=2000, description="Where the file goes: folder/sub/name. A ZIP unpacks into its folder.")
    unpack: bool = Field(False, description="Unpack a ZIP into the folder of `path` instead of keeping it as one file.")
    keep_archive: bool = Field(False, description="With `unpack`: keep the ZIP at `path` as well.")
    duplicates: Literal["allow", "refuse"] = Field(
        "allow",
        description="Content already in the version: `allow` adds it and reports where (default), `refuse` adds nothing (409).",
    )


class DuplicateOut(Schema):
    path: str
    same_content_as: list[str]


class FileAddOut(Schema):
    added: int
    files: list[FileOut] = Field(description="The files added (the first 200 when a ZIP held more).")
    duplicates: list[DuplicateOut] = Field(description="New paths whose content the version already had.")


class FilePatchIn(Schema):
    path: str = Field(..., max_length=2000, description="The new path: rename, or move to another folder.")


class FolderIn(Schema):
    path: str = Field(..., max_length=2000)


class FolderOut(Schema):
    path: str
    name: str
    parent: str


class FolderDeleteOut(Schema):
    path: str
    files_removed: int


class TableColumnOut(Schema):
    name: str
    type: Literal["int", "float", "date", "text"]


class TablePreviewOut(Schema):
    kind: Literal["table"]
    encoding: str
    delimiter: str
    columns: list[TableColumnOut] = Field(description="From the first row, with types guessed from the rows shown.")
    rows: list[list[str]]
    truncated: bool


class JsonPreviewOut(Schema):
    kind: Literal["json"]
    text: str = Field(description="Re-indented; cut at 64 KiB.")
    valid: bool | None = Field(description="Whether the whole file parses; null when only its start was read.")
    truncated: bool


class MarkdownPreviewOut(Schema):
    kind: Literal["markdown"]
    text: str
    html: str = Field(description="Rendered without raw HTML; safe to insert.")
    encoding: str
    truncated: bool


class TextPreviewOut(Schema):
    kind: Literal["text"]
    text: str
    encoding: str
    truncated: bool


class InlinePreviewOut(Schema):
    kind: Literal["image", "pdf"]
    media_type: str
    url: str = Field(description="The content, served inline for the browser to show.")


class NoPreviewOut(Schema):
    kind: Literal["none"]
    reason: str


PreviewOut = Annotated[
    TablePreviewOut | JsonPreviewOut | MarkdownPreviewOut | TextPreviewOut | InlinePreviewOut | NoPreviewOut,
    Field(discriminator="kind"),
]
