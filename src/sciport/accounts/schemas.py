"""Request and response shapes of the accounts API."""

from datetime import datetime

from ninja import Field, Schema


class MembershipOut(Schema):
    organisation_id: str
    organisation_name: str
    role: str


class MeOut(Schema):
    id: str
    email: str
    display_name: str
    language: str
    time_zone: str
    orcid: str
    is_staff: bool
    memberships: list[MembershipOut]


class MePatchIn(Schema):
    display_name: str | None = Field(None, max_length=150)
    language: str | None = None
    time_zone: str | None = Field(None, max_length=64)
    orcid: str | None = Field(None, pattern=r"^(\d{4}-){3}\d{3}[\dX]$")


class TokenRequestIn(Schema):
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=512)
    otp_code: str | None = Field(None, max_length=12, description="Required when the account has two-factor authentication.")
    name: str = Field("api", max_length=100)
    scopes: list[str] = ["read", "write"]
    expires_in_days: int | None = Field(90, ge=1, le=366)


class TokenCreateIn(Schema):
    name: str = Field(..., max_length=100)
    scopes: list[str] = ["read"]
    expires_in_days: int | None = Field(90, ge=1, le=366)


class TokenOut(Schema):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class TokenIssuedOut(TokenOut):
    secret: str = Field(..., description="Shown only in this answer; store it now.")


class OrganisationIn(Schema):
    name_zh: str = Field("", max_length=200)
    name_en: str = Field("", max_length=200)
    kind: str
    credit_code: str = Field("", max_length=18)
    country: str = Field("CN", max_length=2)
    region: str = Field("", max_length=100)
    website: str = Field("", max_length=200)
    description_zh: str = Field("", max_length=5000)
    description_en: str = Field("", max_length=5000)


class OrganisationPatchIn(Schema):
    name_zh: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    kind: str | None = None
    credit_code: str | None = Field(None, max_length=18)
    country: str | None = Field(None, max_length=2)
    region: str | None = Field(None, max_length=100)
    website: str | None = Field(None, max_length=200)
    description_zh: str | None = Field(None, max_length=5000)
    description_en: str | None = Field(None, max_length=5000)


class OrganisationOut(Schema):
    id: str
    name_zh: str
    name_en: str
    kind: str
    credit_code: str
    country: str
    region: str
    website: str
    description_zh: str
    description_en: str
    verification_status: str
    verified_at: datetime | None
    created_at: datetime


class VerificationIn(Schema):
    approve: bool


class MemberOut(Schema):
    user_id: str
    display_name: str
    role: str
    since: datetime


class InvitationIn(Schema):
    email: str = Field(..., max_length=254)
    role: str


class InvitationOut(Schema):
    id: str
    email: str
    role: str
    expires_at: datetime
    created_at: datetime


class InvitationAcceptIn(Schema):
    token: str = Field(..., max_length=100)


class AuditEventOut(Schema):
    sequence: int
    created_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, object]
    after: dict[str, object]
    request_id: str


class DirectorySearchIn(Schema):
    q: str = Field("", description="Words in Chinese and/or English, all of which must match; search syntax is plain text.")
    kind: str = Field("", description="`organisation` or `person`; both when empty. People are shown to signed-in callers only.")
    organisation_kind: str = Field("", description="Only organisations of this type (institution, provider, …).")
    region: str = ""
    verification: str = Field("", description="unverified, pending, verified or rejected.")
    country: str = ""
    cursor: str | None = None
    limit: int = 20


class DirectoryHitOut(Schema):
    kind: str
    id: str
    title: str
    snippet: str = Field(..., description="HTML: the matching passage, escaped, with the matched words in <mark>.")
    score: float


class FacetValueOut(Schema):
    value: str
    count: int


class DirectorySearchOut(Schema):
    items: list[DirectoryHitOut]
    next_cursor: str | None = None
    facets: dict[str, list[FacetValueOut]] = Field(
        ..., description="Per filter, how many results each value gives, counted with the other filters applied."
    )
