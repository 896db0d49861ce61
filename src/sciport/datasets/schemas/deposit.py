"""Request and response shapes of deposit and curation."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class CommunityIn(Schema):
    organisation_id: str
    slug: str = Field(..., max_length=60)
    name_zh: str = Field("", max_length=200)
    name_en: str = Field("", max_length=200)
    description_zh: str = Field("", max_length=10000)
    description_en: str = Field("", max_length=10000)
    review_policy: str = "review"


class CommunityPatchIn(Schema):
    name_zh: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    description_zh: str | None = Field(None, max_length=10000)
    description_en: str | None = Field(None, max_length=10000)
    review_policy: str | None = None


class CommunityOut(Schema):
    id: str
    organisation_id: str
    slug: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    review_policy: str
    created_at: datetime


class AccessSettingsIn(Schema):
    access_level: str = Field("open", description="open, embargoed, restricted or private")
    embargo_until: date | None = Field(None, description="When an embargoed dataset's files open by themselves.")
    classification: str = Field("public", description="public, internal, sensitive or important")
    data_use_agreement: str = Field("", max_length=20000, description="Required for restricted datasets.")


class DatasetIn(AccessSettingsIn):
    community_id: str
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="DataCite 4.5 JSON plus keywords, fieldOfScience, dataAvailability."
    )


class VersionPatchIn(Schema):
    metadata: dict[str, Any] | None = None
    access: AccessSettingsIn | None = None


class NewVersionIn(Schema):
    from_version_id: str | None = Field(None, description="A published version to start from; the newest by default.")


class TransitionIn(Schema):
    event: str = Field(..., description="submit, recall, take, request_changes, publish or withdraw")
    message: str = Field("", max_length=20000, description="Required for request_changes and withdraw.")


class CommentIn(Schema):
    body: str = Field(..., max_length=20000)


class CommentOut(Schema):
    id: str
    author: str
    kind: str
    body: str
    created_at: datetime


class VersionOut(Schema):
    id: str
    dataset_id: str
    community_id: str
    organisation_id: str
    version_number: int
    state: str
    pid: str
    pid_status: str
    pid_url: str
    concept_pid: str
    concept_pid_url: str
    is_latest: bool
    title_zh: str
    title_en: str
    metadata: dict[str, Any]
    access_level: str
    embargo_until: date | None
    classification: str
    data_use_agreement: str
    file_count: int
    total_bytes: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    withdrawal_reason: str


class VersionSummaryOut(Schema):
    id: str
    version_number: int
    state: str
    pid: str
    title_zh: str
    title_en: str
    published_at: datetime | None


class DatasetOut(Schema):
    id: str
    concept_pid: str
    concept_pid_url: str
    organisation_id: str
    community_id: str
    latest_version_id: str | None
    versions: list[VersionSummaryOut]
