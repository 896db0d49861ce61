"""Access to files: the caller's download decision, restricted-access requests, reviewer links, export reviews."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from sciport.accounts.auth import OPTIONAL_AUTH_DOC, optional_auth
from sciport.accounts.selectors import organisation_get
from sciport.core.errors import FieldError, ValidationFailed
from sciport.core.idempotency import idempotent
from sciport.core.pagination import Page, page_out
from sciport.datasets.models import AccessRequest, AccessRequestState, ExportReview, ExportReviewState, PrivateLink
from sciport.datasets.schemas import access as schemas
from sciport.datasets.selectors import access as selectors
from sciport.datasets.selectors import versions as version_selectors
from sciport.datasets.services import access as services
from sciport.datasets.services import export_reviews, private_links

router = Router(tags=["datasets"])


def _state(value: str, choices: list[str]) -> str:
    if value and value not in choices:
        raise ValidationFailed(errors=[FieldError("state", _("Choose one of: %s.") % ", ".join(choices))])
    return value


def _request(found: AccessRequest) -> dict[str, Any]:
    return {
        "id": found.public_id,
        "dataset_id": found.dataset.public_id,
        "organisation_id": found.organisation.public_id,
        "requester_id": found.requester.public_id,
        "requester_name": str(found.requester),
        "purpose": found.purpose,
        "agreement_text": found.agreement_text,
        "agreed_at": found.agreed_at,
        "state": found.state,
        "decision_message": found.decision_message,
        "decided_at": found.decided_at,
        "expires_at": found.expires_at,
        "created_at": found.created_at,
    }


def _link(link: PrivateLink) -> dict[str, Any]:
    return {
        "id": link.public_id,
        "version_id": link.version.public_id,
        "label": link.label,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "last_used_at": link.last_used_at,
        "created_at": link.created_at,
        "is_live": selectors.link_is_live(link),
    }


def _review(review: ExportReview) -> dict[str, Any]:
    return {
        "id": review.public_id,
        "dataset_id": review.dataset.public_id,
        "organisation_id": review.organisation.public_id,
        "requesting_organisation_id": review.requesting_organisation.public_id,
        "purpose": review.purpose,
        "state": review.state,
        "decision_message": review.decision_message,
        "decided_at": review.decided_at,
        "created_at": review.created_at,
    }


# --- the caller's decision ---------------------------------------------------------------------


@router.get(
    "/versions/{version_id}/access",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=schemas.AccessOut,
    summary="Whether you may download this version's files, and if not, why and what to do",
)
def version_access(request: HttpRequest, version_id: str, link: str = "") -> dict[str, Any]:
    private_link = private_links.link_from_token(link) if link else None
    version = selectors.readable_version(request.user, version_id, private_link)
    decision = selectors.download_decision(request.user, version, private_link)
    pending = selectors.pending_request(request.user, version.dataset)
    grant = selectors.live_grant(request.user, version.dataset)
    return {
        "can_download": decision.allowed,
        "reason": decision.reason,
        "message": decision.message,
        "access_level": version.access_level,
        "classification": version.classification,
        "embargo_until": version.embargo_until,
        "data_use_agreement": version.data_use_agreement,
        "needs_access_request": selectors.needs_grant(version),
        "pending_request_id": pending.public_id if pending else None,
        "grant_expires_at": grant.expires_at if grant else None,
    }


# --- access requests ---------------------------------------------------------------------------


@router.post(
    "/datasets/{dataset_id}/access-requests",
    response={201: schemas.AccessRequestOut},
    summary="Request access to a restricted dataset: say why and accept its data use agreement",
)
@idempotent
def access_request_create(request: HttpRequest, dataset_id: str, payload: schemas.AccessRequestIn) -> Status[dict[str, Any]]:
    dataset = version_selectors.dataset_get(request.user, dataset_id)
    version = version_selectors.version_get(request.user, payload.version_id) if payload.version_id else None
    created = services.access_request_create(
        actor=request.user,  # type: ignore[arg-type]
        dataset=dataset,
        purpose=payload.purpose,
        accept_agreement=payload.accept_agreement,
        version=version,
    )
    return Status(201, _request(created))


@router.get(
    "/datasets/{dataset_id}/access-requests",
    response=Page[schemas.AccessRequestOut],
    summary="My requests for access to this dataset, newest first",
)
def access_requests_mine_for(request: HttpRequest, dataset_id: str, cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    dataset = version_selectors.dataset_get(request.user, dataset_id)
    found = selectors.access_requests_of(request.user, dataset=dataset)
    return page_out(found, cursor=cursor, limit=limit, newest_first=True, out=_request)


@router.get("/my/access-requests", response=Page[schemas.AccessRequestOut], summary="All my access requests, newest first")
def access_requests_mine(request: HttpRequest, state: str = "", cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    state = _state(state, AccessRequestState.values)
    found = selectors.access_requests_of(request.user, state=state)
    return page_out(found, cursor=cursor, limit=limit, newest_first=True, out=_request)


@router.get(
    "/access-requests",
    response=Page[schemas.AccessRequestOut],
    summary="Requests to the organisations where I curate, newest first (filter by state, e.g. pending)",
)
def access_request_inbox(request: HttpRequest, state: str = "", cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    state = _state(state, AccessRequestState.values)
    found = selectors.access_request_inbox(request.user, state=state)
    return page_out(found, cursor=cursor, limit=limit, newest_first=True, out=_request)


@router.get("/access-requests/{request_id}", response=schemas.AccessRequestOut, summary="One access request")
def access_request_detail(request: HttpRequest, request_id: str) -> dict[str, Any]:
    return _request(selectors.access_request_get(request.user, request_id))


@router.post(
    "/access-requests/{request_id}/decision",
    response=schemas.AccessRequestOut,
    summary="Approve (optionally until a date) or deny (with a message) a pending request; curators of the owner",
)
def access_request_decide(request: HttpRequest, request_id: str, payload: schemas.DecisionIn) -> dict[str, Any]:
    found = selectors.access_request_get(request.user, request_id)
    decided = services.access_request_decide(
        actor=request.user,  # type: ignore[arg-type]
        access_request=found,
        approve=payload.approve,
        message=payload.message,
        expires_at=payload.expires_at,
    )
    return _request(decided)


@router.delete(
    "/access-requests/{request_id}",
    response=schemas.AccessRequestOut,
    summary="Withdraw my pending request, or (curators) revoke a grant, optionally saying why",
)
def access_request_end(request: HttpRequest, request_id: str, message: str = "") -> dict[str, Any]:
    found = selectors.access_request_get(request.user, request_id)
    ended = services.access_request_end(actor=request.user, access_request=found, message=message[:5000])  # type: ignore[arg-type]
    return _request(ended)


# --- private links -----------------------------------------------------------------------------


@router.get("/versions/{version_id}/private-links", response=list[schemas.PrivateLinkOut], summary="Reviewer links of a version")
def private_link_list(request: HttpRequest, version_id: str) -> list[dict[str, Any]]:
    version = version_selectors.version_get(request.user, version_id, "share")
    return [_link(link) for link in selectors.private_links_of(version)]


@router.post(
    "/versions/{version_id}/private-links",
    response={201: schemas.PrivateLinkIssuedOut},
    summary="Create a secret reviewer link (landing page and files, no sign-in); the token is shown once",
)
@idempotent
def private_link_create(request: HttpRequest, version_id: str, payload: schemas.PrivateLinkIn) -> Status[dict[str, Any]]:
    version = version_selectors.version_get(request.user, version_id)
    issued = private_links.private_link_create(
        actor=request.user,  # type: ignore[arg-type]
        version=version,
        label=payload.label,
        expires_at=payload.expires_at,
    )
    return Status(201, _link(issued.link) | {"token": issued.token, "url": issued.url})


@router.delete("/private-links/{link_id}", response={204: None}, summary="Revoke a reviewer link at once")
def private_link_revoke(request: HttpRequest, link_id: str) -> Status[None]:
    link = selectors.private_link_get(request.user, link_id)
    private_links.private_link_revoke(actor=request.user, link=link)  # type: ignore[arg-type]
    return Status(204, None)


# --- export reviews ----------------------------------------------------------------------------


@router.post(
    "/datasets/{dataset_id}/export-reviews",
    response={201: schemas.ExportReviewOut},
    summary="Ask platform staff to approve important data going to your organisation outside China",
)
@idempotent
def export_review_create(request: HttpRequest, dataset_id: str, payload: schemas.ExportReviewIn) -> Status[dict[str, Any]]:
    dataset = version_selectors.dataset_get(request.user, dataset_id)
    organisation = organisation_get(request.user, payload.organisation_id) if payload.organisation_id else None
    review = export_reviews.export_review_create(
        actor=request.user,  # type: ignore[arg-type]
        dataset=dataset,
        purpose=payload.purpose,
        organisation=organisation,
    )
    return Status(201, _review(review))


@router.get(
    "/export-reviews",
    response=Page[schemas.ExportReviewOut],
    summary="Export reviews: all for platform staff; else those of my organisations",
)
def export_review_list(request: HttpRequest, state: str = "", cursor: str | None = None, limit: int = 50) -> dict[str, Any]:
    state = _state(state, ExportReviewState.values)
    found = selectors.export_reviews_for(request.user, state=state)
    return page_out(found, cursor=cursor, limit=limit, newest_first=True, out=_review)


@router.post(
    "/export-reviews/{review_id}/decision",
    response=schemas.ExportReviewOut,
    summary="Approve or reject (with a message) an export review; platform staff",
)
def export_review_decide(request: HttpRequest, review_id: str, payload: schemas.ExportDecisionIn) -> dict[str, Any]:
    review = selectors.export_review_get(request.user, review_id)
    decided = export_reviews.export_review_decide(
        actor=request.user,  # type: ignore[arg-type]
        review=review,
        approve=payload.approve,
        message=payload.message,
    )
    return _review(decided)
