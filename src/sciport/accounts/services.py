"""Every change to people, organisations, memberships, invitations and tokens."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sciport.accounts import search as directory
from sciport.accounts import selectors
from sciport.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    TokenScope,
    User,
    VerificationStatus,
)
from sciport.accounts.validators import validate_uscc
from sciport.core import audit, permissions
from sciport.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from sciport.core.permissions import Role
from sciport.notifications.services import notify

ORGANISATION_FIELDS = [
    "name_zh",
    "name_en",
    "kind",
    "credit_code",
    "country",
    "region",
    "website",
    "description_zh",
    "description_en",
]
INVITATION_LIFETIME = timedelta(days=14)
TOKEN_PREFIX = "sp_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _actor(user: User | None) -> str:
    return user.public_id if user is not None else ""


def _refuse_unknown_fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationFailed(errors=[FieldError(name, _("Unknown field.")) for name in sorted(unknown)])


def _require_admin_for_admin_role(actor: User, organisation: Organisation, role: str) -> None:
    """Only administrators (or platform staff) give or take the administrator role."""
    actor_roles = permissions.roles_by_organisation(actor).get(organisation.pk, frozenset())
    if role == Role.ADMIN and not (actor.is_superuser or Role.ADMIN in actor_roles):
        raise PermissionDenied(_("Only administrators give or take the administrator role."))


def _check_organisation_fields(fields: dict[str, Any]) -> None:
    errors = []
    if "kind" in fields and fields["kind"] not in OrganisationKind.values:
        errors.append(FieldError("kind", _("Choose one of: %s.") % ", ".join(OrganisationKind.values)))
    if not (fields.get("name_zh") or fields.get("name_en")):
        errors.append(FieldError("name_zh", _("Give the organisation a Chinese or an English name.")))
    credit_code = fields.get("credit_code") or ""
    if credit_code:
        try:
            validate_uscc(credit_code)
        except ValidationError as error:
            errors.append(FieldError("credit_code", " ".join(error.messages)))
    website = fields.get("website") or ""
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            errors.append(FieldError("website", _("Enter a web address starting with http:// or https://.")))
    country = fields.get("country", "CN")
    if not (len(country) == 2 and country.isalpha() and country.isupper()):
        errors.append(FieldError("country", _("Use a two-letter ISO 3166 country code such as CN.")))
    if errors:
        raise ValidationFailed(errors=errors)


def organisation_create(*, actor: User, fields: dict[str, Any]) -> Organisation:
    """Create an organisation; its creator becomes its administrator."""
    _check_organisation_fields(fields)
    _refuse_unknown_fields(fields, ORGANISATION_FIELDS)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(**fields)
            Membership.objects.create(user=actor, organisation=organisation, role=Role.ADMIN)
            audit.record(
                actor=actor.public_id,
                organisation=organisation.public_id,
                action="organisation.create",
                object_type="organisation",
                object_id=organisation.public_id,
                after=audit.snapshot(organisation, ORGANISATION_FIELDS),
            )
            directory.index_organisation(organisation)
    except IntegrityError:
        raise Conflict(_("An organisation with this unified social credit code is already registered.")) from None
    return organisation


def organisation_update(*, actor: User, organisation: Organisation, fields: dict[str, Any]) -> Organisation:
    """Change an organisation's profile; a changed credit code needs verifying again."""
    if not permissions.can(actor, "update", organisation):
        raise PermissionDenied()
    _refuse_unknown_fields(fields, ORGANISATION_FIELDS)
    merged = audit.snapshot(organisation, ORGANISATION_FIELDS) | fields
    _check_organisation_fields(merged)
    try:
        with transaction.atomic():
            locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
            before = audit.snapshot(locked, [*ORGANISATION_FIELDS, "verification_status"])
            for name, value in fields.items():
                setattr(locked, name, value)
            if "credit_code" in fields and fields["credit_code"] != before["credit_code"]:
                locked.verification_status = VerificationStatus.UNVERIFIED
                locked.verified_at = None
            locked.save()
            audit.record(
                actor=actor.public_id,
                organisation=locked.public_id,
                action="organisation.update",
                object_type="organisation",
                object_id=locked.public_id,
                before=before,
                after=audit.snapshot(locked, [*ORGANISATION_FIELDS, "verification_status"]),
            )
            directory.index_organisation(locked)
    except IntegrityError:
        raise Conflict(_("An organisation with this unified social credit code is already registered.")) from None
    return locked


def organisation_request_verification(*, actor: User, organisation: Organisation) -> Organisation:
    """An organisation's manager asks the platform to verify its identity."""
    if not permissions.can(actor, "update", organisation):
        raise PermissionDenied()
    if organisation.verification_status == VerificationStatus.VERIFIED:
        raise Conflict(_("This organisation is already verified."))
    return _set_verification(actor, organisation, VerificationStatus.PENDING)


def organisation_verify(*, actor: User, organisation: Organisation, approve: bool) -> Organisation:
    """Platform staff confirm or reject an organisation's identity."""
    if not permissions.can(actor, "verify", organisation):
        raise PermissionDenied(_("Only platform staff verify organisations."))
    status = VerificationStatus.VERIFIED if approve else VerificationStatus.REJECTED
    updated = _set_verification(actor, organisation, status)
    managers = User.objects.filter(
        memberships__organisation=organisation, memberships__role__in=[Role.ADMIN, Role.MANAGER]
    ).distinct()
    notify(
        recipients=list(managers),
        kind="organisation.verified" if approve else "organisation.rejected",
        context={"organisation": updated.public_id, "organisation_name": str(updated)},
        url=f"/organisations/{updated.public_id}/",
    )
    return updated


def _set_verification(actor: User, organisation: Organisation, status: str) -> Organisation:
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = {"verification_status": locked.verification_status}
        locked.verification_status = status
        locked.verified_at = timezone.now() if status == VerificationStatus.VERIFIED else None
        locked.save(update_fields=["verification_status", "verified_at"])
        audit.record(
            actor=actor.public_id,
            organisation=locked.public_id,
            action="organisation.verification",
            object_type="organisation",
            object_id=locked.public_id,
            before=before,
            after={"verification_status": status},
        )
        directory.index_organisation(locked)
    return locked


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


def invitation_create(*, actor: User, organisation: Organisation, email: str, role: str) -> IssuedInvitation:
    """Invite someone by e-mail to take a role; the link in the mail carries a one-time token."""
    if not permissions.can(actor, "manage_members", organisation):
        raise PermissionDenied()
    if role not in Role.values:
        raise ValidationFailed(errors=[FieldError("role", _("Choose one of: %s.") % ", ".join(Role.values))])
    _require_admin_for_admin_role(actor, organisation, role)
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationFailed(errors=[FieldError("email", _("Enter a valid e-mail address."))])
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=_hash(token),
            invited_by=actor,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit.record(
            actor=actor.public_id,
            organisation=organisation.public_id,
            action="invitation.create",
            object_type="invitation",
            object_id=invitation.public_id,
            after={"email": email, "role": role},
        )
        notify(
            emails=[email],
            kind="invitation",
            context={
                "organisation": organisation.public_id,
                "organisation_name": str(organisation),
                "role_label": Role(role).label,
                "link": f"{settings.SITE_URL}/invitations/{token}/",
            },
            url=f"/invitations/{token}/",
        )
    return IssuedInvitation(invitation, token)


def invitation_accept(*, actor: User, token: str) -> Membership:
    """The invited person, signed in with the invited address, takes up the role."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(token_hash=_hash(token)).first()
        if invitation is None or invitation.revoked_at is not None:
            raise NotFound(_("This invitation does not exist or was withdrawn."))
        if invitation.accepted_at is not None:
            raise Conflict(_("This invitation has already been used."))
        if invitation.expires_at <= timezone.now():
            raise Conflict(_("This invitation has expired; ask for a new one."))
        if invitation.email != actor.email.lower():
            raise PermissionDenied(_("This invitation was sent to another e-mail address."))
        membership, _created = Membership.objects.get_or_create(
            user=actor, organisation=invitation.organisation, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record(
            actor=actor.public_id,
            organisation=invitation.organisation.public_id,
            action="membership.create",
            object_type="membership",
            object_id=invitation.public_id,
            after={"user": actor.public_id, "role": invitation.role},
        )
    return membership


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    """Withdraw an unused invitation."""
    if not permissions.can(actor, "revoke", invitation):
        raise PermissionDenied()
    with transaction.atomic():
        updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            raise Conflict(_("This invitation is no longer open."))
        audit.record(
            actor=actor.public_id,
            organisation=invitation.organisation.public_id,
            action="invitation.revoke",
            object_type="invitation",
            object_id=invitation.public_id,
        )


def membership_remove(*, actor: User, organisation: Organisation, user_public_id: str, role: str) -> None:
    """Take a role away; an organisation always keeps at least one administrator."""
    if not permissions.can(actor, "manage_members", organisation):
        raise PermissionDenied()
    _require_admin_for_admin_role(actor, organisation, role)
    with transaction.atomic():
        # Lock the organisation first: two administrators removing each other at once
        # must not both see "another administrator remains".
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        memberships = Membership.objects.filter(organisation=organisation)
        target = memberships.filter(user__public_id=user_public_id, role=role).first()
        if target is None:
            raise NotFound()
        if role == Role.ADMIN and memberships.filter(role=Role.ADMIN).count() == 1:
            raise Conflict(_("An organisation needs at least one administrator."))
        target.delete()
        audit.record(
            actor=actor.public_id,
            organisation=organisation.public_id,
            action="membership.delete",
            object_type="membership",
            object_id=user_public_id,
            before={"user": user_public_id, "role": role},
        )


def user_update_profile(*, actor: User, fields: dict[str, Any]) -> User:
    """Change one's own name, language, time zone or ORCID."""
    allowed = {"display_name", "language", "time_zone", "orcid"}
    _refuse_unknown_fields(fields, allowed)
    if "language" in fields and fields["language"] not in {"zh-hans", "en"}:
        raise ValidationFailed(errors=[FieldError("language", _("Choose zh-hans or en."))])
    if "time_zone" in fields and fields["time_zone"] not in zoneinfo.available_timezones():
        raise ValidationFailed(errors=[FieldError("time_zone", _("Use a time zone name such as Asia/Shanghai."))])
    with transaction.atomic():
        before = audit.snapshot(actor, sorted(allowed))
        User.objects.filter(pk=actor.pk).update(**fields)
        actor.refresh_from_db()
        audit.record(
            actor=actor.public_id,
            action="user.update",
            object_type="user",
            object_id=actor.public_id,
            before=before,
            after=audit.snapshot(actor, sorted(allowed)),
        )
        directory.index_person(actor)
    return actor


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def token_create(*, actor: User, name: str, scopes: list[str], expires_in_days: int | None) -> IssuedToken:
    """Issue an API token; the secret is returned now and never again."""
    errors = []
    if not name.strip():
        errors.append(FieldError("name", _("Give the token a name.")))
    if not scopes or set(scopes) - set(TokenScope.values):
        errors.append(FieldError("scopes", _("Choose scopes from: %s.") % ", ".join(TokenScope.values)))
    if expires_in_days is not None and not 1 <= expires_in_days <= 366:
        errors.append(FieldError("expires_in_days", _("A token lives between 1 and 366 days.")))
    if errors:
        raise ValidationFailed(errors=errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name.strip(),
            prefix=secret[:10],
            secret_hash=_hash(secret),
            scopes=sorted(set(scopes)),
            expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        audit.record(
            actor=actor.public_id,
            action="token.create",
            object_type="api_token",
            object_id=token.public_id,
            after={"name": token.name, "scopes": token.scopes, "expires_at": token.expires_at},
        )
    return IssuedToken(token, secret)


def token_revoke(*, actor: User, token_public_id: str) -> None:
    """Revoke one of one's own tokens at once."""
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update().filter(user=actor, public_id=token_public_id, revoked_at__isnull=True).first()
        )
        if token is None:
            raise NotFound()
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor.public_id, action="token.revoke", object_type="api_token", object_id=token.public_id)


LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_authenticate(secret: str) -> ApiToken | None:
    """The live token for a presented secret, or None; last-used time is kept to the minute."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    found = selectors.live_token(_hash(secret), now=now, used_since=now - LAST_USED_RESOLUTION)
    if found is None:
        return None
    if found.unused_lately:
        ApiToken.objects.filter(pk=found.token.pk).update(last_used_at=now)
    return found.token


def user_create_verified(
    *, email: str, password: str, display_name: str = "", language: str = "zh-hans", staff: bool = False
) -> User:
    """A user whose e-mail is already confirmed: for administrators and demo data, not self-service sign-up."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.password_validation import validate_password

    email = email.strip().lower()
    if "@" not in email:
        raise ValidationFailed(errors=[FieldError("email", _("Enter a valid e-mail address."))])
    try:
        validate_password(password)
    except ValidationError as error:
        raise ValidationFailed(errors=[FieldError("password", " ".join(error.messages))]) from None
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise Conflict(_("A user with this e-mail address already exists."))
        user = User.objects.create_user(
            email, password, display_name=display_name, language=language, is_staff=staff, is_superuser=staff
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        audit.record(
            actor="", action="user.create", object_type="user", object_id=user.public_id, after={"email": email, "staff": staff}
        )
        directory.index_person(user)
    return user


def platform_admin_create(*, email: str, password: str) -> User:
    """Create a platform administrator (staff and superuser)."""
    return user_create_verified(email=email, password=password, display_name="Platform administrator", staff=True)
