"""Request and response shapes of access: decisions, access requests, private links, export reviews."""

from datetime import date, datetime

from ninja import Field, Schema


class AccessOut(Schema):
    can_download: bool
    reason: str = Field(
        ...,
        description="Empty when allowed; else withdrawn, unpublished, private, link_not_enough, embargoed, sign_in, "
        "organisation_required, export_review or request_access.",
    )
    message: str = Field(..., description="The reason in the caller's language.")
    access_level: str
    classification: str
    embargo_until: date | None
    data_use_agreement: str
    needs_access_request: bool = Field(..., description="Whether outsiders need an approved access request.")
    pending_request_id: str | None
    grant_expires_at: datetime | None = Field(None, description="When the caller's grant ends, if they have one.")


class AccessRequestIn(Schema):
    purpose: str = Field(..., max_length=5000)
    accept_agreement: bool = Field(..., description="Accept the version's data use agreement (stored as accepted).")
    version_id: str | None = Field(None, description="The version whose agreement you accept; the newest published by default.")


class AccessRequestOut(Schema):
    id: str
    dataset_id: str
    organisation_id: str
    requester_id: str
    requester_name: str
    purpose: str
    agreement_text: str
    agreed_at: datetime
    state: str
    decision_message: str
    decided_at: datetime | None
    expires_at: datetime | None
    created_at: datetime


class DecisionIn(Schema):
    approve: bool
    message: str = Field("", max_length=5000, description="Required when denying.")
    expires_at: datetime | None = Field(None, description="When an approved grant ends; none for no end.")


class PrivateLinkIn(Schema):
    label: str = Field("", max_length=200, description="Whom the link is for, e.g. the journal and manuscript number.")
    expires_at: datetime | None = None


class PrivateLinkOut(Schema):
    id: str
    version_id: str
    label: str
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime
    is_live: bool


class PrivateLinkIssuedOut(PrivateLinkOut):
    token: str = Field(..., description="Shown now and never again.")
    url: str


class ExportReviewIn(Schema):
    purpose: str = Field(..., max_length=5000)
    organisation_id: str | None = Field(None, description="Your organisation outside China; needed if you have several.")


class ExportReviewOut(Schema):
    id: str
    dataset_id: str
    organisation_id: str
    requesting_organisation_id: str
    purpose: str
    state: str
    decision_message: str
    decided_at: datetime | None
    created_at: datetime


class ExportDecisionIn(Schema):
    approve: bool
    message: str = Field("", max_length=5000, description="Required when rejecting.")
