"""Resumption tokens: signed, compressed state of a list (its query, where the last page ended, its size).

The position is a keyset (datestamp and public id of the last record sent), so a page costs one
index range scan however deep the harvest, and records changed meanwhile are not skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.core import signing

from sciport.datasets.oai.protocol import OaiError

SALT = "sciport.datasets.oai.resumption"
LIFETIME = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Position:
    """A list's query, how far it got, and how long it is (counted once, on its first page)."""

    prefix: str
    set_spec: str
    start: str  # ISO moments, "" for none
    end: str
    after_stamp: str
    after_id: str
    cursor: int
    total: int


def issue(position: Position) -> str:
    return signing.dumps(asdict(position), salt=SALT, compress=True)


def redeem(token: str) -> Position:
    """The position a token names; badResumptionToken when it is garbled, tampered with or expired."""
    try:
        fields = signing.loads(token, salt=SALT, max_age=LIFETIME)
        return Position(**fields)
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise OaiError("badResumptionToken", "The resumption token is invalid or has expired.") from error


def expires() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + LIFETIME
