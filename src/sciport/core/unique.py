"""Inserting a row that a unique constraint may refuse, turned into a domain error the caller names."""

from django.db import IntegrityError, transaction
from django.db.models import Model

from sciport.core.errors import DomainError


def save_new(row: Model, *, if_taken: DomainError) -> None:
    """Save ``row`` in a savepoint: a unique constraint it breaks raises ``if_taken`` and leaves the outer transaction usable."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise if_taken from None
