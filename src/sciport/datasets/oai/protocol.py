"""What a request may say: verbs, their arguments, the protocol's error codes and its UTC datestamps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import QueryDict

DATESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
# Allowed arguments of each verb: required, optional, and the one that excludes all others.
REQUIRED: dict[str, frozenset[str]] = {
    "Identify": frozenset(),
    "ListMetadataFormats": frozenset(),
    "ListSets": frozenset(),
    "GetRecord": frozenset({"identifier", "metadataPrefix"}),
    "ListIdentifiers": frozenset({"metadataPrefix"}),
    "ListRecords": frozenset({"metadataPrefix"}),
}
OPTIONAL: dict[str, frozenset[str]] = {
    "Identify": frozenset(),
    "ListMetadataFormats": frozenset({"identifier"}),
    "ListSets": frozenset(),
    "GetRecord": frozenset(),
    "ListIdentifiers": frozenset({"from", "until", "set"}),
    "ListRecords": frozenset({"from", "until", "set"}),
}
RESUMABLE = frozenset({"ListSets", "ListIdentifiers", "ListRecords"})


class OaiError(Exception):
    """An error the protocol names: ``code`` is one of its error codes, the message says why in English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class OaiRequest:
    verb: str
    arguments: dict[str, str]


def parse(query: QueryDict) -> OaiRequest:
    """The verb and its arguments, or the protocol's badVerb / badArgument."""
    verbs = query.getlist("verb")
    if len(verbs) != 1:
        raise OaiError("badVerb", "The verb argument is missing or repeated.")
    verb = verbs[0]
    if verb not in REQUIRED:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb.")
    arguments: dict[str, str] = {}
    for name, values in query.lists():
        if name == "verb":
            continue
        if len(values) != 1:
            raise OaiError("badArgument", f"The argument {name!r} is repeated.")
        arguments[name] = values[0]
    _check_arguments(verb, arguments)
    return OaiRequest(verb, arguments)


def _check_arguments(verb: str, arguments: dict[str, str]) -> None:
    names = set(arguments)
    if "resumptionToken" in names and verb in RESUMABLE:
        if names != {"resumptionToken"}:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
        return
    illegal = names - REQUIRED[verb] - OPTIONAL[verb]
    if illegal:
        raise OaiError("badArgument", f"{verb} does not take {', '.join(sorted(illegal))}.")
    missing = REQUIRED[verb] - names
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(sorted(missing))}.")


def datestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(DATESTAMP_FORMAT)


def date_range(arguments: dict[str, str]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``from`` and ``until`` as a half-open UTC range [start, end); both of one granularity (day or second)."""
    start_text, end_text = arguments.get("from"), arguments.get("until")
    if start_text and end_text and len(start_text) != len(end_text):
        raise OaiError("badArgument", "from and until must have the same granularity.")
    start = _parse_date(start_text, "from")[0] if start_text else None
    end = None
    if end_text:
        moment, granule = _parse_date(end_text, "until")
        end = moment + granule
    return start, end


def _parse_date(text: str, name: str) -> tuple[dt.datetime, dt.timedelta]:
    """The moment and the length of the granule it names (a day or a second)."""
    for pattern, granule in (("%Y-%m-%d", dt.timedelta(days=1)), (DATESTAMP_FORMAT, dt.timedelta(seconds=1))):
        try:
            parsed = dt.datetime.strptime(text, pattern).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        if len(text) in (10, 20):
            return parsed, granule
    raise OaiError("badArgument", f"{name} must be a UTC date (YYYY-MM-DD) or datestamp ({GRANULARITY}).")
