"""Who may do what: one decision function, ``can(user, action, obj)``.

A model registers a policy: for each action, the organisation roles that allow it
(or ``PUBLIC`` / ``SIGNED_IN``), and how to find the owning organisation. Per-object
grants (``ObjectGrant``) add single exceptions. Lists go through ``restrict`` so
that what a user cannot see does not exist for them (404, never 403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciport.core.errors import NotFound, PermissionDenied
from sciport.core.models import ObjectGrant


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    MANAGER = "manager", _("Manager")
    CURATOR = "curator", _("Curator")
    FINANCE = "finance", _("Finance")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    ADMIN = "admin", _("Administrator")


PUBLIC = "public"
SIGNED_IN = "signed_in"
Allowed = frozenset[str]
ANY_ROLE: Allowed = frozenset(Role.values)
PLATFORM_STAFF_ONLY: Allowed = frozenset()


@dataclass(frozen=True)
class Policy:
    owner_field: str
    actions: dict[str, Allowed] = field(default_factory=dict)


_policies: dict[type[models.Model], Policy] = {}
RoleSource = Callable[[Any], dict[int, frozenset[str]]]
_role_source: list[RoleSource] = []

M = TypeVar("M", bound=models.Model)


def register(model: type[models.Model], *, owner_field: str, actions: dict[str, Iterable[str]]) -> None:
    """Declare who may do what on ``model``; ``owner_field`` leads to the owning organisation's key."""
    _policies[model] = Policy(owner_field, {action: frozenset(roles) for action, roles in actions.items()})


def set_role_source(source: RoleSource) -> None:
    """The accounts app tells the kernel how to read a user's roles per organisation key."""
    _role_source[:] = [source]


def roles_by_organisation(user: Any) -> dict[int, frozenset[str]]:
    """A user's roles per organisation key, computed once per user object (so once per request)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_sciport_roles", None)
    if cached is None:
        cached = _role_source[0](user) if _role_source else {}
        user._sciport_roles = cached
    return cached


def _policy(model: type[models.Model]) -> Policy:
    try:
        return _policies[model]
    except KeyError:
        raise LookupError(f"no permission policy registered for {model.__name__}") from None


def _owner_pk(obj: models.Model, policy: Policy) -> int | None:
    if policy.owner_field == "pk":
        return int(obj.pk)
    return getattr(obj, f"{policy.owner_field}_id", None)


def object_type(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _live_grants(user: Any, model: type[models.Model]) -> QuerySet[ObjectGrant]:
    return ObjectGrant.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()), user=user, object_type=object_type(model)
    )


def has_grant(user: Any, action: str, obj: models.Model) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return _live_grants(user, type(obj)).filter(object_pk=obj.pk, action=action).exists()


def can(user: Any, action: str, obj: models.Model) -> bool:
    """The one decision: platform staff, then PUBLIC/SIGNED_IN, then roles in the owner, then grants.

    An action allowed to no role (``PLATFORM_STAFF_ONLY``) is for platform staff alone,
    not even for the owner's administrators.
    """
    policy = _policy(type(obj))
    allowed = policy.actions.get(action)
    if allowed is None:
        raise LookupError(f"{type(obj).__name__} has no action {action!r}")
    if getattr(user, "is_superuser", False):
        return True
    if PUBLIC in allowed:
        return True
    if SIGNED_IN in allowed and getattr(user, "is_authenticated", False):
        return True
    owner = _owner_pk(obj, policy)
    roles = roles_by_organisation(user).get(owner or -1, frozenset())
    if allowed and (Role.ADMIN in roles or roles & allowed):
        return True
    return bool(allowed) and has_grant(user, action, obj)


def restrict(queryset: QuerySet[M], user: Any, action: str) -> QuerySet[M]:
    """Only the rows ``user`` may do ``action`` on, as a queryset (for lists and lookups)."""
    policy = _policy(queryset.model)
    allowed = policy.actions[action]
    if getattr(user, "is_superuser", False) or PUBLIC in allowed:
        return queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if SIGNED_IN in allowed:
        return queryset
    if not allowed:
        return queryset.none()
    owners = [org for org, roles in roles_by_organisation(user).items() if Role.ADMIN in roles or roles & allowed]
    granted = _live_grants(user, queryset.model).filter(action=action).values("object_pk")
    owner_lookup = "pk__in" if policy.owner_field == "pk" else f"{policy.owner_field}__in"
    return queryset.filter(Q(**{owner_lookup: owners}) | Q(pk__in=granted))


def _related(user: Any, obj: models.Model) -> bool:
    """Whether the user has any role in the object's owner, or any grant on the object itself."""
    owner = _owner_pk(obj, _policy(type(obj)))
    if owner in roles_by_organisation(user):
        return True
    return getattr(user, "is_authenticated", False) and _live_grants(user, type(obj)).filter(object_pk=obj.pk).exists()


def get_for(user: Any, action: str, queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch one object for an action.

    Invisible objects are 404. So is any action by someone from another organisation
    (a wrong owner learns nothing); only an insider lacking the role gets 403.
    """
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFound()
    require(user, action, obj)
    return obj


def require(user: Any, action: str, obj: models.Model) -> None:
    """The decision of ``get_for`` for an object already in hand: 404 for outsiders, 403 for insiders."""
    if not can(user, "view", obj):
        raise NotFound()
    if action != "view" and not can(user, action, obj):
        if _related(user, obj):
            raise PermissionDenied()
        raise NotFound()
