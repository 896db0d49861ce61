"""Private links for journal reviewers: secret, expiring, revocable, anonymous.

The link opens one version's landing page and files without signing in. Its token is
shown once, at creation; only its SHA-256 is stored (like API tokens), so a leaked
database does not leak working links. The reviewer stays anonymous: a link records
when it was last used, never by whom.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sciport.accounts.models import User
from sciport.core import audit, permissions
from sciport.core.errors import Conflict, FieldError, ValidationFailed
from sciport.datasets.models import DatasetVersion, PrivateLink, VersionState
from sciport.datasets.services.access import future_moment

LAST_USED_RESOLUTION = timedelta(minutes=1)
TOKEN_MAX_LENGTH = 100  # issued tokens are 43 characters; longer input is not worth hashing
LABEL_MAX_LENGTH = 200


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def review_url(token: str) -> str:
    return settings.SITE_URL + reverse("datasets:review", args=[token])


@dataclass(frozen=True)
class IssuedLink:
    link: PrivateLink
    token: str

    @property
    def url(self) -> str:
        return review_url(self.token)


def _audit(actor: User, action: str, link: PrivateLink, after: dict[str, object]) -> None:
    audit.record(
        actor=actor.public_id,
        action=action,
        object_type="datasets.privatelink",
        object_id=link.public_id,
        organisation=link.organisation.public_id,
        after={**after, "version": link.version.public_id},
    )


def private_link_create(*, actor: User, version: DatasetVersion, label: str, expires_at: datetime | None = None) -> IssuedLink:
    """Issue a reviewer link to one version; the token is returned now and never again."""
    permissions.require(actor, "share", version)
    if version.state == VersionState.WITHDRAWN:
        raise Conflict(_("A withdrawn version cannot be shared."))
    label = label.strip()
    if len(label) > LABEL_MAX_LENGTH:
        raise ValidationFailed(errors=[FieldError("label", _("Keep the label under %d characters.") % LABEL_MAX_LENGTH)])
    expires_at = future_moment(expires_at, "expires_at")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = PrivateLink.objects.create(
            version=version,
            organisation=version.organisation,
            label=label,
            token_hash=_hash(token),
            created_by=actor,
            expires_at=expires_at,
        )
        _audit(actor, "private_link.create", link, {"label": label, "expires_at": expires_at})
    return IssuedLink(link, token)


def private_link_revoke(*, actor: User, link: PrivateLink) -> PrivateLink:
    """Stop a link at once; revoking a revoked link changes nothing."""
    permissions.require(actor, "revoke", link)
    with transaction.atomic():
        link = PrivateLink.objects.select_for_update(of=("self",)).select_related("version", "organisation").get(pk=link.pk)
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            _audit(actor, "private_link.revoke", link, {"revoked_at": link.revoked_at})
    return link


def link_from_token(token: str) -> PrivateLink | None:
    """The live link for a presented token, or None; its last use is kept to the minute."""
    if not token or len(token) > TOKEN_MAX_LENGTH or not token.isascii():
        return None
    now = timezone.now()
    link = (
        PrivateLink.objects.select_related("version__dataset", "version__organisation")
        .filter(token_hash=_hash(token), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if link is None:
        return None
    if link.last_used_at is None or link.last_used_at < now - LAST_USED_RESOLUTION:
        PrivateLink.objects.filter(pk=link.pk).update(last_used_at=now)
        link.last_used_at = now
    return link
