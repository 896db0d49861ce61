"""Reads of people and organisations."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from sciport.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from sciport.core import permissions
from sciport.core.models import AuditEvent
from sciport.core.permissions import Role


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
    permissions.require(user, "view_members", organisation)
    return Membership.objects.filter(organisation=organisation).select_related("user").order_by("id")


def people_with_role(organisation_pk: int, roles: Iterable[str]) -> QuerySet[User]:
    """Active people holding any of ``roles`` (or administrator) in the organisation, e.g. to notify its curators."""
    wanted = {*roles, Role.ADMIN}
    return User.objects.filter(
        is_active=True, memberships__organisation_id=organisation_pk, memberships__role__in=wanted
    ).distinct()


def invitations_of(user: Any, organisation: Organisation) -> QuerySet[Invitation]:
    permissions.require(user, "manage_members", organisation)
    return Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True).order_by("id")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def audit_events_of(organisation: Organisation) -> QuerySet[AuditEvent]:
    """Events about an organisation; callers check ``view_audit`` first."""
    return AuditEvent.objects.filter(organisation=organisation.public_id)


# Every API call authenticates, and most clients call /me first: these two reads are the
# hottest in the platform. They are written as SQL because compiling the equivalent ORM
# queries costs ten times what running them does (measured in bench/api_throughput.py).
_TOKEN_SQL = (
    "SELECT u.*, t.id AS token_pk, t.public_id AS token_public_id, t.scopes AS token_scopes, "  # noqa: S608 - table names only
    "CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END AS token_unused_lately "
    f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
    "WHERE t.secret_hash = %s AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > %s) AND u.is_active"
)
_MEMBERSHIP_SQL = (
    "SELECT o.public_id, o.name_zh, o.name_en, m.role "  # noqa: S608 - table names only
    f"FROM {Membership._meta.db_table} m JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id "
    "WHERE m.user_id = %s ORDER BY m.organisation_id, m.role"
)


@dataclass(frozen=True)
class LiveToken:
    token: ApiToken
    unused_lately: bool


def live_token(secret_hash: str, *, now: datetime, used_since: datetime) -> LiveToken | None:
    """The token with this hash if it is neither revoked nor expired and its owner is active."""
    adapt = connection.ops.adapt_datetimefield_value
    rows = list(User.objects.raw(_TOKEN_SQL, [adapt(used_since), secret_hash, adapt(now)]))
    if not rows:
        return None
    user = rows[0]
    scopes = user.token_scopes  # type: ignore[attr-defined]
    token = ApiToken(
        pk=user.token_pk,  # type: ignore[attr-defined]
        public_id=user.token_public_id,  # type: ignore[attr-defined]
        user=user,
        scopes=scopes if isinstance(scopes, list) else json.loads(scopes),
    )
    return LiveToken(token, bool(user.token_unused_lately))  # type: ignore[attr-defined]


def membership_rows(user: User) -> list[tuple[str, str, str, str]]:
    """(organisation public id, Chinese name, English name, role) for each of a person's roles."""
    with connection.cursor() as cursor:
        cursor.execute(_MEMBERSHIP_SQL, [user.pk])
        return [tuple(row) for row in cursor.fetchall()]
