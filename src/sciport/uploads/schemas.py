"""Request and response shapes of the uploads API (the tus operations speak in headers instead)."""

from datetime import datetime

from ninja import Field, Schema


class UploadOut(Schema):
    id: str
    protocol: str = Field(description="`tus` or `s3_multipart`.")
    target: str
    metadata: dict[str, str] = Field(description="What the client sent as Upload-Metadata (or multipart metadata).")
    length: int = Field(description="Announced size in bytes.")
    offset: int = Field(description="Bytes the server holds so far.")
    state: str = Field(description="`receiving`, `complete`, `consumed`, `expired` or `terminated`.")
    sha256: str = Field(description="Hex SHA-256 of the whole content, once complete.")
    md5: str = Field(description="Hex MD5 of the whole content, once complete.")
    expires_at: datetime
    created_at: datetime
    completed_at: datetime | None


class MultipartIn(Schema):
    file_name: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=1, description="Exact size of the file in bytes.")
    target: str = Field(min_length=1, max_length=64, description="Who takes the file, e.g. `dataset`.")
    metadata: dict[str, str] = Field(default_factory=dict, description="What the target needs, e.g. `dataset`.")


class PartUrlOut(Schema):
    number: int
    url: str = Field(description="PUT the part's bytes here; keep the ETag header of the answer.")


class MultipartOut(Schema):
    id: str
    part_size: int = Field(description="Every part but the last has exactly this many bytes.")
    part_count: int
    parts: list[PartUrlOut] = Field(description="Presigned URLs of the first parts; ask /parts for more.")
    expires_at: datetime


class PartUrlsOut(Schema):
    parts: list[PartUrlOut]
    next_part: int | None = Field(description="The first part number of the next page, or null after the last part.")


class PartIn(Schema):
    number: int = Field(ge=1, le=10_000)
    etag: str = Field(min_length=1, max_length=200)


class MultipartCompleteIn(Schema):
    parts: list[PartIn] = Field(max_length=10_000)
