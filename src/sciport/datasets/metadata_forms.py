"""Forms of single metadata values: ORCID iDs, ROR ids, DOIs, SPDX ids, language tags, dates, URLs.

Each check returns the value as it should be stored (normalised: an ORCID as its
https URL, a DOI without resolver, an SPDX id in its canonical case) or raises
``Invalid`` with a translated message.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from urllib.parse import urlparse

from django.utils.translation import gettext as _

from sciport.datasets.licences import LICENCES, licence


class Invalid(ValueError):
    """A value in the wrong form; the message says what the right one is."""


ORCID_URL = "https://orcid.org/"
ROR_URL = "https://ror.org/"
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
# Crockford base32 without i, l, o, u; the leading 0 and the two check digits are the form of every ROR id.
_ROR = re.compile(r"^https://ror\.org/(0[0-9a-hjkmnp-tv-z]{6}\d{2})$")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_RESOLVERS = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
_LANGUAGE = re.compile(r"^([a-z]{2,3})(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|\d{3}))?$")
_YEAR_MONTH = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def orcid(value: str) -> str:
    """An ORCID iD, bare or as its URL, with a valid ISO 7064 11,2 check character; stored as the URL."""
    found = _ORCID.match(value.strip())
    if found is None:
        raise Invalid(_("An ORCID iD looks like https://orcid.org/0000-0002-1825-0097."))
    digits = found.group(1).replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        raise Invalid(_("This ORCID iD has a wrong check digit; copy it again from orcid.org."))
    return ORCID_URL + found.group(1)


def ror(value: str) -> str:
    """A ROR id as its URL (``https://ror.org/0xxxxxxxx``) with valid ISO 7064 97-10 check digits."""
    found = _ROR.match(value.strip())
    if found is None:
        raise Invalid(_("A ROR id looks like https://ror.org/013q1eq08."))
    identifier = found.group(1)
    number = 0
    for character in identifier[:7]:
        number = number * 32 + _CROCKFORD.index(character)
    if int(identifier[7:]) != 98 - (number * 100) % 97:
        raise Invalid(_("This ROR id has wrong check digits; copy it again from ror.org."))
    return ROR_URL + identifier


def doi(value: str) -> str:
    """A DOI, stored without its resolver (``10.1234/abc``)."""
    bare = value.strip()
    for resolver in _DOI_RESOLVERS:
        if bare.lower().startswith(resolver):
            bare = bare[len(resolver) :]
            break
    if not _DOI.match(bare):
        raise Invalid(_("A DOI looks like 10.1234/abc (optionally after https://doi.org/)."))
    return bare


def spdx(value: str) -> str:
    """An SPDX licence id from the licences we offer, in its canonical case."""
    found = licence(value.strip())
    if found is None:
        raise Invalid(_("Choose one of: %s.") % ", ".join(item.spdx_id for item in LICENCES))
    return found.spdx_id


@cache
def _known_languages() -> frozenset[str]:
    from babel import Locale

    return frozenset(Locale("en").languages)


def language(value: str) -> str:
    """A BCP 47 tag of a known ISO 639 language, optionally with script and region (``zh``, ``zh-Hans``, ``en-GB``)."""
    found = _LANGUAGE.match(value.strip())
    if found is None or found.group(1) not in _known_languages():
        raise Invalid(_("Use a language code such as zh, en, zh-Hans or en-GB."))
    return value.strip()


def _one_date(value: str) -> date | datetime:
    if _YEAR_MONTH.match(value):
        return date(int(value[:4]), int(value[5:7]) if len(value) > 4 else 1, 1)
    if _FULL_DATE.match(value):
        return date.fromisoformat(value)
    if "T" in value:
        return datetime.fromisoformat(value)
    raise ValueError(value)


def iso_date(value: str) -> str:
    """A DataCite date: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, an ISO date-time, or a range ``start/end`` of those."""
    parts = value.strip().split("/")
    try:
        if len(parts) > 2 or not all(parts):
            raise ValueError(value)
        for part in parts:
            _one_date(part)
    except ValueError:
        raise Invalid(_("Use an ISO 8601 date such as 2025, 2025-03, 2025-03-31, or a range 2024-01-01/2024-12-31.")) from None
    return value.strip()


def url(value: str) -> str:
    """An absolute http(s) URL."""
    parsed = urlparse(value.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise Invalid(_("Give a full address starting with https:// or http://."))
    return value.strip()


def crossref_funder(value: str) -> str:
    """A Crossref Funder ID, stored as its DOI URL (``https://doi.org/10.13039/501100001809``)."""
    bare = doi(value)
    if not bare.startswith("10.13039/"):
        raise Invalid(_("A Crossref Funder ID looks like https://doi.org/10.13039/501100001809."))
    return "https://doi.org/" + bare


def publication_year(value: str) -> str:
    if not re.fullmatch(r"\d{4}", value.strip()):
        raise Invalid(_("Give a four-digit year."))
    return value.strip()
