"""``notify``: the one way every part of sciport tells people something."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sciport.core import audit
from sciport.core.errors import FieldError, NotFound, ValidationFailed
from sciport.notifications.kinds import KINDS
from sciport.notifications.models import Notification, NotificationPreference


def _render_text(template_name: str, context: dict[str, Any]) -> str:
    """Plain text: no HTML escaping, so "AT&T <Labs>" arrives as typed."""
    return str(get_template(template_name).template.render(Context(context, autoescape=False)))  # type: ignore[attr-defined]


def _render(kind: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    template = kind.replace(".", "_")
    with translation.override(language):
        full_context = {**context, "site_url": settings.SITE_URL, "LANGUAGE_CODE": language}
        subject = _render_text(f"notifications/{template}.subject.txt", full_context).strip()
        body = _render_text(f"notifications/{template}.body.txt", full_context).strip()
    return " ".join(subject.split()), body


def notify(
    *,
    kind: str,
    context: dict[str, Any],
    recipients: Iterable[Any] = (),
    emails: Iterable[str] = (),
    url: str = "",
) -> list[Notification]:
    """Put a message in each recipient's inbox and queue e-mails, as their preferences say.

    E-mails are queued after the surrounding transaction commits, so a rolled-back
    change never sends mail.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    recipients = list(recipients)
    emails = list(emails)
    preferences = {
        pref.user_id: pref for pref in NotificationPreference.objects.filter(user__in=[user.pk for user in recipients], kind=kind)
    }
    created = []
    for user in recipients:
        pref = preferences.get(user.pk)
        in_inbox = pref.inbox if pref else True
        wants_email = pref.email if pref else True
        if not (in_inbox or wants_email):
            continue
        subject, body = _render(kind, {**context, "recipient": user}, user.language)
        created.append(
            Notification.objects.create(
                recipient=user,
                email=user.email,
                kind=kind,
                subject=subject,
                body=body,
                url=url,
                in_inbox=in_inbox,
                wants_email=wants_email,
            )
        )
    known_languages = dict(get_user_model().objects.filter(email__in=emails).values_list("email", "language"))
    for address in emails:
        subject, body = _render(kind, context, known_languages.get(address, settings.LANGUAGE_CODE))
        created.append(
            Notification.objects.create(
                email=address, kind=kind, subject=subject, body=body, url=url, in_inbox=False, wants_email=True
            )
        )
    to_mail = [notification.public_id for notification in created if notification.wants_email]
    if to_mail:
        from sciport.notifications.tasks import send_notification_email

        def enqueue() -> None:
            for public_id in to_mail:
                send_notification_email.enqueue(public_id)

        transaction.on_commit(enqueue)
    return created


def notification_mark_read(*, actor: Any, public_id: str) -> Notification:
    """Mark one inbox entry read; marking twice changes nothing."""
    notification = Notification.objects.filter(recipient=actor, public_id=public_id, in_inbox=True).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor: Any) -> int:
    """Mark the whole inbox read; returns how many entries changed."""
    return Notification.objects.filter(recipient=actor, in_inbox=True, read_at__isnull=True).update(read_at=timezone.now())


def preference_set(*, actor: Any, kind: str, inbox: bool, email: bool) -> NotificationPreference:
    """Choose, per kind, whether a message goes to the inbox, to e-mail, both or neither."""
    if kind not in KINDS:
        raise ValidationFailed(errors=[FieldError("kind", _("Unknown notification kind."))])
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"inbox": inbox, "email": email}
        )
        audit.record(
            actor=actor.public_id,
            action="notification.preference",
            object_type="user",
            object_id=actor.public_id,
            after={"kind": kind, "inbox": inbox, "email": email},
        )
    return preference
