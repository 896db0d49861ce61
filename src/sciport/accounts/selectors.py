"""Reads of people and organisations."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sciport.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from sciport.core import permissions
from sciport.core.models import AuditEvent


def roles_by_organisation(user: User) -> dict[int, frozenset[str]]:
    roles: dict[int, set[str]] = defaultdict(set)
    for organisation_id, role in Membership.objects.filter(user=user).values_list("organisation_id", "role"):
        roles[organisation_id].add(role)
    return {organisation_id: frozenset(values) for organisation_id, values in roles.items()}


def organisations_of(user: Any) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct().order_by("id")


def organisation_get(user: Any, public_id: str, action: str = "view") -> Organisation:
    return permissions.get_for(user, action, Organisation.objects.all(), public_id=public_id)


def organisation_list(user: Any, *, kind: str = "", verified_only: bool = False) -> QuerySet[Organisation]:
    organisations = permissions.restrict(Organisation.objects.all(), user, "view")
    if kind:
        organisations = organisations.filter(kind=kind)
    if verified_only:
        organisations = organisations.filter(verification_status="verified")
    return organisations.order_by("id")


def members_of(user: Any, organisation: Organisation) -> QuerySet[Membership]:
    permissions.get_for(user, "view_members", Organisation.objects.all(), pk=organisation.pk)
    return Membership.objects.filter(organisation=organisation).select_related("user").order_by("id")


def invitations_of(user: Any, organisation: Organisation) -> QuerySet[Invitation]:
    permissions.get_for(user, "manage_members", Organisation.objects.all(), pk=organisation.pk)
    return Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True).order_by("id")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def token_active(token: ApiToken) -> bool:
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > timezone.now())


def audit_events_of(organisation: Organisation) -> QuerySet[AuditEvent]:
    """Events about an organisation; callers check ``view_audit`` first."""
    return AuditEvent.objects.filter(organisation=organisation.public_id)
