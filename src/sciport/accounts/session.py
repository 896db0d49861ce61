"""The organisation a signed-in person is acting for, kept in the session."""

from __future__ import annotations

from django.http import HttpRequest

from sciport.accounts import selectors
from sciport.accounts.models import Organisation

SESSION_KEY = "active_organisation"
_CACHE_ATTRIBUTE = "_sciport_active_organisation"


def active_organisation(request: HttpRequest) -> Organisation | None:
    """The chosen organisation if the person still belongs to it, else their first one."""
    if hasattr(request, _CACHE_ATTRIBUTE):
        return getattr(request, _CACHE_ATTRIBUTE)
    organisations = selectors.organisations_of(request.user)
    chosen = request.session.get(SESSION_KEY)
    found = organisations.filter(public_id=chosen).first() if chosen else None
    result = found or organisations.first()
    setattr(request, _CACHE_ATTRIBUTE, result)
    return result


def choose_organisation(request: HttpRequest, public_id: str) -> Organisation | None:
    """Switch to one of one's own organisations; anything else is ignored (returns None)."""
    organisation = selectors.organisations_of(request.user).filter(public_id=public_id).first()
    if organisation is not None:
        request.session[SESSION_KEY] = organisation.public_id
        setattr(request, _CACHE_ATTRIBUTE, organisation)
    return organisation
