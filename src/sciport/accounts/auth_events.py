"""Audit events for what django-allauth changes on its own (sign-up, e-mail, password, 2FA).

allauth owns those flows; its signals are the documented hook, so each becomes one
audit event here rather than a second copy of the flow in our services.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.dispatch import Signal

from sciport.core import audit

_EVENTS: dict[Signal, str] = {
    account_signals.user_signed_up: "user.sign_up",
    account_signals.email_confirmed: "user.email_confirmed",
    account_signals.password_changed: "user.password_changed",
    account_signals.password_reset: "user.password_reset",
    account_signals.password_set: "user.password_set",
    account_signals.user_logged_in: "user.sign_in",
    mfa_signals.authenticator_added: "user.mfa_added",
    mfa_signals.authenticator_removed: "user.mfa_removed",
}


def _user_of(kwargs: dict[str, Any]) -> Any:
    if "user" in kwargs:
        return kwargs["user"]
    email_address = kwargs.get("email_address")
    return getattr(email_address, "user", None)


def _receiver(action: str) -> Any:
    def receive(sender: Any, **kwargs: Any) -> None:
        user = _user_of(kwargs)
        if user is None:
            return
        details: dict[str, Any] = {}
        if "email_address" in kwargs:
            details["email"] = kwargs["email_address"].email
        if "authenticator" in kwargs:
            details["authenticator"] = kwargs["authenticator"].type
        audit.record(actor=user.public_id, action=action, object_type="user", object_id=user.public_id, after=details)

    return receive


def connect() -> None:
    for signal, action in _EVENTS.items():
        signal.connect(_receiver(action), dispatch_uid=f"sciport-audit-{action}", weak=False)
