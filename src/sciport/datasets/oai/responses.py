"""Each verb's answer, written as pieces of XML: the envelope, then one piece per record, so a page streams.

Records are the versions anyone may see (published or withdrawn, not private); a withdrawn one is
a deleted record (``deletedRecord`` is ``persistent``). A record's datestamp is the version's last
change (``updated_at``: publication, metadata correction, withdrawal).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.db.models import Min, Q, QuerySet
from django.http import QueryDict

from sciport.datasets.models import UNPUBLISHED_STATES, AccessLevel, Community, DatasetVersion, VersionState
from sciport.datasets.oai import tokens
from sciport.datasets.oai.formats import FORMATS, fragments
from sciport.datasets.oai.protocol import OaiError, OaiRequest, date_range, datestamp, parse

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
REPOSITORY_NAME = "sciport Science Data Bank"
ROW_FIELDS = ("pk", "public_id", "updated_at", "state", "dataset__community__slug")


def answer(base_url: str, query: QueryDict) -> Iterator[str]:
    """The whole response to ``query``; argument errors are found before the first piece is written."""
    request: OaiRequest | None = None
    try:
        request = parse(query)
        body = VERBS[request.verb](request.arguments)
    except OaiError as error:
        # The request element carries the arguments only when they were valid (protocol 3.2).
        echo = request if request is not None and error.code not in ("badVerb", "badArgument") else None
        return _envelope(base_url, echo, [f'<error code="{error.code}">{escape(error.message)}</error>'])
    return _envelope(base_url, request, body)


def _envelope(base_url: str, request: OaiRequest | None, body: Iterable[str]) -> Iterator[str]:
    attributes = (
        ""
        if request is None
        else f" verb={quoteattr(request.verb)}"
        + "".join(f" {name}={quoteattr(value)}" for name, value in request.arguments.items())
    )
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI}" xmlns:xsi="{XSI}" xsi:schemaLocation="{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
        f"<responseDate>{datestamp(dt.datetime.now(dt.UTC))}</responseDate>"
        f"<request{attributes}>{escape(base_url)}</request>"
    )
    yield from body
    yield "</OAI-PMH>\n"


# --- records -------------------------------------------------------------------------------------------


def _records() -> QuerySet[DatasetVersion]:
    """What ``visible_versions`` shows anyone, with the state rule written as an exclusion.

    ``state IN (published, withdrawn)`` would lead SQLite to scan the state index and sort every
    match; ``NOT IN`` the other states selects the same rows and lets the datestamp index drive the
    scan, so a page stops after its 100 rows.
    """
    return DatasetVersion.objects.exclude(state__in=UNPUBLISHED_STATES).exclude(access_level=AccessLevel.PRIVATE)


def oai_identifier(public_id: str) -> str:
    return f"oai:{_host(settings.SITE_URL)}:{public_id}"


@functools.cache
def _host(site_url: str) -> str | None:
    return urlsplit(site_url).hostname


def _public_id(identifier: str) -> str:
    prefix = oai_identifier("")
    if not identifier.startswith(prefix):
        raise OaiError("idDoesNotExist", f"{identifier!r} is not an identifier of this repository.")
    return identifier.removeprefix(prefix)


def _record_row(identifier: str) -> dict[str, Any]:
    row = _records().filter(public_id=_public_id(identifier)).values(*ROW_FIELDS).first()
    if row is None:
        raise OaiError("idDoesNotExist", f"{identifier!r} is not an identifier of this repository.")
    return row


def _format(prefix: str) -> str:
    if prefix not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"{prefix!r} is not a metadata format of this repository.")
    return prefix


def _header(row: dict[str, Any]) -> str:
    status = ' status="deleted"' if row["state"] == VersionState.WITHDRAWN else ""
    return (
        f"<header{status}><identifier>{escape(oai_identifier(row['public_id']))}</identifier>"
        f"<datestamp>{datestamp(row['updated_at'])}</datestamp>"
        f"<setSpec>{escape(row['dataset__community__slug'])}</setSpec></header>"
    )


def _record(row: dict[str, Any], metadata: str | None) -> str:
    if metadata is None:
        return f"<record>{_header(row)}</record>"
    return f"<record>{_header(row)}<metadata>{metadata}</metadata></record>"


def _metadata_of(rows: list[dict[str, Any]], prefix: str) -> dict[int, str]:
    live = [(row["pk"], row["updated_at"]) for row in rows if row["state"] != VersionState.WITHDRAWN]
    return fragments(live, prefix) if live else {}


# --- verbs ---------------------------------------------------------------------------------------------


def identify(arguments: dict[str, str]) -> list[str]:
    earliest = _records().aggregate(earliest=Min("updated_at"))["earliest"] or dt.datetime.now(dt.UTC)
    admin = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return [
        "<Identify>"
        f"<repositoryName>{REPOSITORY_NAME}</repositoryName>"
        f"<baseURL>{escape(settings.SITE_URL)}/oai</baseURL>"
        "<protocolVersion>2.0</protocolVersion>"
        f"<adminEmail>{escape(admin)}</adminEmail>"
        f"<earliestDatestamp>{datestamp(earliest)}</earliestDatestamp>"
        "<deletedRecord>persistent</deletedRecord>"
        "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
        "</Identify>"
    ]


def list_metadata_formats(arguments: dict[str, str]) -> list[str]:
    if "identifier" in arguments:
        _record_row(arguments["identifier"])
    pieces = "".join(
        f"<metadataFormat><metadataPrefix>{item.prefix}</metadataPrefix><schema>{item.schema}</schema>"
        f"<metadataNamespace>{item.namespace}</metadataNamespace></metadataFormat>"
        for item in FORMATS.values()
    )
    return [f"<ListMetadataFormats>{pieces}</ListMetadataFormats>"]


def list_sets(arguments: dict[str, str]) -> list[str]:
    if "resumptionToken" in arguments:
        raise OaiError("badResumptionToken", "The list of sets is never split, so it takes no resumption token.")
    communities = list(Community.objects.order_by("slug").values_list("slug", "name_en", "name_zh"))
    if not communities:
        raise OaiError("noSetHierarchy", "This repository has no communities yet.")
    pieces = "".join(
        f"<set><setSpec>{escape(slug)}</setSpec><setName>{escape(name_en or name_zh or slug)}</setName></set>"
        for slug, name_en, name_zh in communities
    )
    return [f"<ListSets>{pieces}</ListSets>"]


def get_record(arguments: dict[str, str]) -> list[str]:
    prefix = _format(arguments["metadataPrefix"])
    row = _record_row(arguments["identifier"])
    metadata = _metadata_of([row], prefix)
    return [f"<GetRecord>{_record(row, metadata.get(row['pk']))}</GetRecord>"]


def list_identifiers(arguments: dict[str, str]) -> Iterator[str]:
    return _list("ListIdentifiers", arguments, with_metadata=False)


def list_records(arguments: dict[str, str]) -> Iterator[str]:
    return _list("ListRecords", arguments, with_metadata=True)


def _list(verb: str, arguments: dict[str, str], *, with_metadata: bool) -> Iterator[str]:
    position = _position(arguments)
    records = _matching(position)
    if position.after_stamp:
        stamp = dt.datetime.fromisoformat(position.after_stamp)
        # A range on the index's first column, then the tie-break: one index seek, whatever the database.
        records = records.filter(Q(updated_at__gte=stamp), Q(updated_at__gt=stamp) | Q(public_id__gt=position.after_id))
    size = settings.OAI_PAGE_SIZE
    rows = list(records.order_by("updated_at", "public_id").values(*ROW_FIELDS)[: size + 1])
    if not rows:
        raise OaiError("noRecordsMatch", "No record matches the arguments.")
    more, rows = len(rows) > size, rows[:size]
    total = position.total or (len(rows) if not more else _matching(position).count())
    metadata = _metadata_of(rows, position.prefix) if with_metadata else {}
    return _list_pieces(verb, rows, metadata, position, total, more=more)


def _list_pieces(
    verb: str, rows: list[dict[str, Any]], metadata: dict[int, str], position: tokens.Position, total: int, *, more: bool
) -> Iterator[str]:
    # One piece per page: the server writes each piece separately, and a page is at most a few hundred KB.
    items = (_record(row, metadata.get(row["pk"])) for row in rows) if verb == "ListRecords" else map(_header, rows)
    yield f"<{verb}>{''.join(items)}{_resumption(rows[-1], position, total, more=more)}</{verb}>"


def _resumption(last: dict[str, Any], position: tokens.Position, total: int, *, more: bool) -> str:
    """The token for the next page; an empty one on the last page of a split list; nothing for a one-page list."""
    if not more and not position.after_stamp:
        return ""
    attributes = f'completeListSize="{total}" cursor="{position.cursor}"'
    if not more:
        return f"<resumptionToken {attributes}/>"
    following = replace(
        position,
        after_stamp=last["updated_at"].isoformat(),
        after_id=last["public_id"],
        cursor=position.cursor + settings.OAI_PAGE_SIZE,
        total=total,
    )
    expiry = datestamp(tokens.expires())
    return f'<resumptionToken expirationDate="{expiry}" {attributes}>{escape(tokens.issue(following))}</resumptionToken>'


def _position(arguments: dict[str, str]) -> tokens.Position:
    if "resumptionToken" in arguments:
        return tokens.redeem(arguments["resumptionToken"])
    start, end = date_range(arguments)
    return tokens.Position(
        prefix=_format(arguments["metadataPrefix"]),
        set_spec=arguments.get("set", ""),
        start=start.isoformat() if start else "",
        end=end.isoformat() if end else "",
        after_stamp="",
        after_id="",
        cursor=0,
        total=0,
    )


def _matching(position: tokens.Position) -> QuerySet[DatasetVersion]:
    records = _records()
    if position.set_spec:
        records = records.filter(dataset__community__slug=position.set_spec)
    if position.start:
        records = records.filter(updated_at__gte=dt.datetime.fromisoformat(position.start))
    if position.end:
        records = records.filter(updated_at__lt=dt.datetime.fromisoformat(position.end))
    return records


VERBS: dict[str, Callable[[dict[str, str]], Iterable[str]]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}
