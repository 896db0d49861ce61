"""/api/v1: me, tokens, organisations, members, invitations, the organisation audit trail."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from sciport.accounts import schemas, selectors, services
from sciport.accounts import search as directory
from sciport.accounts.auth import OPTIONAL_AUTH_DOC, BrowserSession, optional_auth
from sciport.accounts.models import ApiToken, Invitation, Organisation, User
from sciport.core import permissions, problems, ratelimit
from sciport.core.errors import NotAuthenticated, PermissionDenied
from sciport.core.idempotency import idempotent
from sciport.core.pagination import Page, page_out

router = Router(tags=["accounts"])


def _me(user: User) -> dict[str, Any]:
    memberships = selectors.membership_rows(user)
    language = user.language
    return {
        "id": user.public_id,
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "time_zone": user.time_zone,
        "orcid": user.orcid,
        "is_staff": user.is_staff,
        "memberships": [
            {
                "organisation_id": public_id,
                "organisation_name": Organisation(name_zh=name_zh, name_en=name_en).display_name(language),
                "role": role,
            }
            for public_id, name_zh, name_en, role in memberships
        ],
    }


def _token(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.public_id,
        "name": token.name,
        "prefix": token.prefix,
        "scopes": token.scopes,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "created_at": token.created_at,
    }


def _organisation(organisation: Organisation) -> dict[str, Any]:
    fields = {name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS}
    return fields | {
        "id": organisation.public_id,
        "verification_status": organisation.verification_status,
        "verified_at": organisation.verified_at,
        "created_at": organisation.created_at,
    }


@router.post(
    "/auth/token",
    auth=None,
    response={201: schemas.TokenIssuedOut},
    summary="Exchange e-mail and password for an API token",
    openapi_extra=problems.also_answers(401, 403, 429),
)
def token_request(request: HttpRequest, payload: schemas.TokenRequestIn) -> Status[dict[str, Any]]:
    limit, period = settings.LOGIN_RATE_LIMIT
    ratelimit.hit("token-ip", ratelimit.client_address(request), limit=limit, period_seconds=period)
    ratelimit.hit("token-email", payload.email.lower(), limit=limit, period_seconds=period)
    user = authenticate(request, email=payload.email.lower(), password=payload.password)
    if user is None:
        raise NotAuthenticated(_("The e-mail address or password is wrong."))
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        raise PermissionDenied(_("Confirm your e-mail address before creating API tokens."))
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None and not (payload.otp_code and TOTP(totp).validate_code(payload.otp_code)):
        raise NotAuthenticated(_("This account uses two-factor authentication: send a valid otp_code."))
    issued = services.token_create(actor=user, name=payload.name, scopes=payload.scopes, expires_in_days=payload.expires_in_days)
    return Status(201, _token(issued.token) | {"secret": issued.secret})


@router.get("/me", response=schemas.MeOut, summary="The signed-in person and their organisations")
def me(request: HttpRequest) -> dict[str, Any]:
    return _me(request.user)  # type: ignore[arg-type]


@router.patch("/me", response=schemas.MeOut, summary="Change one's own profile")
def me_update(request: HttpRequest, payload: schemas.MePatchIn) -> dict[str, Any]:
    user = services.user_update_profile(actor=request.user, fields=payload.dict(exclude_none=True))  # type: ignore[arg-type]
    return _me(user)


@router.get("/tokens", response=list[schemas.TokenOut], summary="My live API tokens")
def token_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_token(token) for token in selectors.tokens_of(request.user)]  # type: ignore[arg-type]


@router.post(
    "/tokens",
    # Not with a token: a stolen token must not be able to mint successors that outlive its revocation.
    auth=[BrowserSession()],
    response={201: schemas.TokenIssuedOut},
    summary="Create an API token from a signed-in browser session (secret shown once)",
)
def token_create(request: HttpRequest, payload: schemas.TokenCreateIn) -> Status[dict[str, Any]]:
    issued = services.token_create(
        actor=request.user,  # type: ignore[arg-type]
        name=payload.name,
        scopes=payload.scopes,
        expires_in_days=payload.expires_in_days,
    )
    return Status(201, _token(issued.token) | {"secret": issued.secret})


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke an API token")
def token_revoke(request: HttpRequest, token_id: str) -> Status[None]:
    services.token_revoke(actor=request.user, token_public_id=token_id)  # type: ignore[arg-type]
    return Status(204, None)


@router.get(
    "/organisations",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=Page[schemas.OrganisationOut],
    summary="Directory of organisations (no sign-in needed)",
)
def organisation_list(
    request: HttpRequest, kind: str = "", verified: bool = False, cursor: str | None = None, limit: int = 50
) -> dict[str, Any]:
    organisations = selectors.organisation_list(request.user, kind=kind, verified_only=verified)
    return page_out(organisations, cursor=cursor, limit=limit, out=_organisation)


@router.post(
    "/organisations", response={201: schemas.OrganisationOut}, summary="Register an organisation (you become its administrator)"
)
@idempotent
def organisation_create(request: HttpRequest, payload: schemas.OrganisationIn) -> Status[dict[str, Any]]:
    organisation = services.organisation_create(actor=request.user, fields=payload.dict())  # type: ignore[arg-type]
    return Status(201, _organisation(organisation))


@router.get(
    "/organisations/{organisation_id}",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=schemas.OrganisationOut,
    summary="One organisation (no sign-in needed)",
)
def organisation_detail(request: HttpRequest, organisation_id: str) -> dict[str, Any]:
    return _organisation(selectors.organisation_get(request.user, organisation_id))


@router.patch("/organisations/{organisation_id}", response=schemas.OrganisationOut, summary="Change an organisation's profile")
def organisation_update(request: HttpRequest, organisation_id: str, payload: schemas.OrganisationPatchIn) -> dict[str, Any]:
    organisation = selectors.organisation_get(request.user, organisation_id, "update")
    updated = services.organisation_update(actor=request.user, organisation=organisation, fields=payload.dict(exclude_none=True))  # type: ignore[arg-type]
    return _organisation(updated)


@router.post(
    "/organisations/{organisation_id}/verification-request",
    response=schemas.OrganisationOut,
    summary="Ask the platform to verify the organisation",
)
def organisation_request_verification(request: HttpRequest, organisation_id: str) -> dict[str, Any]:
    organisation = selectors.organisation_get(request.user, organisation_id, "update")
    return _organisation(services.organisation_request_verification(actor=request.user, organisation=organisation))  # type: ignore[arg-type]


@router.post(
    "/organisations/{organisation_id}/verification",
    response=schemas.OrganisationOut,
    summary="Platform staff: confirm or reject an organisation",
)
def organisation_verify(request: HttpRequest, organisation_id: str, payload: schemas.VerificationIn) -> dict[str, Any]:
    organisation = selectors.organisation_get(request.user, organisation_id, "verify")
    return _organisation(services.organisation_verify(actor=request.user, organisation=organisation, approve=payload.approve))  # type: ignore[arg-type]


@router.get("/organisations/{organisation_id}/members", response=list[schemas.MemberOut], summary="Members and their roles")
def member_list(request: HttpRequest, organisation_id: str) -> list[dict[str, Any]]:
    organisation = selectors.organisation_get(request.user, organisation_id, "view_members")
    return [
        {"user_id": m.user.public_id, "display_name": str(m.user), "role": m.role, "since": m.created_at}
        for m in selectors.members_of(request.user, organisation)
    ]


@router.delete(
    "/organisations/{organisation_id}/members/{user_id}/{role}", response={204: None}, summary="Take a role away from a member"
)
def member_remove(request: HttpRequest, organisation_id: str, user_id: str, role: str) -> Status[None]:
    organisation = selectors.organisation_get(request.user, organisation_id, "manage_members")
    services.membership_remove(actor=request.user, organisation=organisation, user_public_id=user_id, role=role)  # type: ignore[arg-type]
    return Status(204, None)


def _invitation(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.public_id,
        "email": invitation.email,
        "role": invitation.role,
        "expires_at": invitation.expires_at,
        "created_at": invitation.created_at,
    }


@router.get("/organisations/{organisation_id}/invitations", response=list[schemas.InvitationOut], summary="Open invitations")
def invitation_list(request: HttpRequest, organisation_id: str) -> list[dict[str, Any]]:
    organisation = selectors.organisation_get(request.user, organisation_id, "manage_members")
    return [_invitation(i) for i in selectors.invitations_of(request.user, organisation)]


@router.post(
    "/organisations/{organisation_id}/invitations", response={201: schemas.InvitationOut}, summary="Invite someone by e-mail"
)
def invitation_create(request: HttpRequest, organisation_id: str, payload: schemas.InvitationIn) -> Status[dict[str, Any]]:
    organisation = selectors.organisation_get(request.user, organisation_id, "manage_members")
    issued = services.invitation_create(actor=request.user, organisation=organisation, email=payload.email, role=payload.role)  # type: ignore[arg-type]
    return Status(201, _invitation(issued.invitation))


@router.post("/invitations/accept", response=schemas.MeOut, summary="Accept an invitation with the token from its e-mail")
def invitation_accept(request: HttpRequest, payload: schemas.InvitationAcceptIn) -> dict[str, Any]:
    services.invitation_accept(actor=request.user, token=payload.token)  # type: ignore[arg-type]
    return _me(request.user)  # type: ignore[arg-type]


@router.delete("/invitations/{invitation_id}", response={204: None}, summary="Withdraw an invitation")
def invitation_revoke(request: HttpRequest, invitation_id: str) -> Status[None]:
    invitation = permissions.get_for(
        request.user, "revoke", Invitation.objects.select_related("organisation"), public_id=invitation_id
    )
    services.invitation_revoke(actor=request.user, invitation=invitation)  # type: ignore[arg-type]
    return Status(204, None)


@router.get(
    "/organisations/{organisation_id}/audit",
    response=Page[schemas.AuditEventOut],
    summary="The organisation's audit trail, newest first",
)
def audit_list(request: HttpRequest, organisation_id: str, cursor: str | None = None, limit: int = Query(50)) -> dict[str, Any]:
    organisation = selectors.organisation_get(request.user, organisation_id, "view_audit")
    return page_out(
        selectors.audit_events_of(organisation), cursor=cursor, limit=limit, newest_first=True, out=lambda event: event
    )


@router.get(
    "/search/directory",
    auth=optional_auth,
    openapi_extra=OPTIONAL_AUTH_DOC,
    response=schemas.DirectorySearchOut,
    summary="Search organisations and, signed in, people",
)
def directory_search(request: HttpRequest, params: Query[schemas.DirectorySearchIn]) -> dict[str, Any]:
    language = getattr(request.user, "language", "") or get_language() or settings.LANGUAGE_CODE
    filters = params.dict(include={"organisation_kind", "region", "verification", "country"})
    results = directory.directory_search(
        request.user,
        text=params.q,
        kind=params.kind,
        filters=filters,
        language=language,
        cursor=params.cursor,
        limit=params.limit,
    )
    return {
        "items": [
            {"kind": hit.kind, "id": hit.key, "title": hit.title(language), "snippet": hit.snippet, "score": hit.score}
            for hit in results.page.hits
        ],
        "next_cursor": results.page.next_cursor,
        "facets": {
            name: [{"value": value, "count": count} for value, count in counts.items()] for name, counts in results.facets.items()
        },
    }
