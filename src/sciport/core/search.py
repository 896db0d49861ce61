"""Full-text search: one index that every app writes documents into, searched with visibility applied in SQL.

A document is a kind and key (the object's public id), the owning organisation, a
visibility, title and body text in Chinese and English, and a few facet values.
Which documents a caller may see is part of the query itself, so a restricted
document never reaches Python for someone who may not see it.

Text is tokenised here, in Python, the same way for both database backends and for
both documents and queries:

- Chinese is segmented with jieba's search mode, and every two-character window of a
  Chinese run is added as well, so that a two-character word such as 材料 or 检测 is
  found inside any longer title, even when the dictionary does not know the title's
  words;
- everything else is split into lower-cased runs of letters and digits (NFKC first,
  so full-width Latin letters count as Latin letters).

The database receives those tokens separated by spaces:

- SQLite: the FTS5 table ``core_search_fts`` (rowid = document id), Porter stemming,
  ranked by bm25;
- PostgreSQL: the ``search_vector`` tsvector column of ``core_searchdocument`` with a
  GIN index, built with the ``sciport_search`` configuration (English stemming, no
  stop words, everything else as is), ranked by ts_rank_cd.

Query syntax is never passed through: the user's text is tokenised and rebuilt as
quoted terms, so quotes, ``*``, ``NEAR``, ``-``, ``OR`` and parentheses are only text.
Every term must match; a Chinese word of three or more characters matches either as
the word itself or as all of its two-character windows.

Changing the tokenisation (including the domain words below) needs ``sciport reindex``.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from sciport.core.errors import FieldError, ValidationFailed
from sciport.core.models import SearchDocument
from sciport.core.permissions import PUBLIC, SIGNED_IN

ORGANISATION = "organisation"
VISIBILITIES = (PUBLIC, SIGNED_IN, ORGANISATION)
MAX_LIMIT = 200
MAX_OFFSET = 10_000
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 24
MAX_TEXT_CHARS = 100_000
MAX_TOKEN_CHARS = 64
SNIPPET_CHARS = 160
TITLE_WEIGHT = 2.5  # bm25 weight of the title against 1.0 for the body; PostgreSQL's A/B weights are 1.0/0.4

# Glossary words jieba's dictionary lacks; known words rank exact phrases higher.
DOMAIN_WORDS = (
    "科学数据银行",
    "科技创新券",
    "创新券",
    "算力券",
    "算力",
    "检验检测",
    "概念验证",
    "概念验证中心",
    "未来产业",
    "未来产业基金",
    "创新集群",
    "应用场景",
    "技术需求",
    "技术验证",
    "关联交易",
    "知识产权服务",
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_PIECE = re.compile(rf"[{_CJK}]+|(?:(?![{_CJK}])[^\W_])+")
_CJK_ONLY = re.compile(rf"[{_CJK}]+")
_CJK_RUN = re.compile(rf"[{_CJK}]{{2,}}")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s")


# --- tokenisation -------------------------------------------------------------------------------------------------

_segmenter_lock = threading.Lock()
_segmenter_instance: Any = None


def _segmenter() -> Any:
    """jieba's tokenizer, loaded once per process on first use, quietly, with its cache under var/."""
    global _segmenter_instance  # noqa: PLW0603 -- one lazily built dictionary per process
    if _segmenter_instance is None:
        with _segmenter_lock:
            if _segmenter_instance is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                cache_dir = settings.VAR_DIR / "cache"
                cache_dir.mkdir(parents=True, exist_ok=True)
                tokenizer = jieba.Tokenizer()
                tokenizer.tmp_dir = str(cache_dir)
                tokenizer.initialize()
                for word in DOMAIN_WORDS:
                    tokenizer.add_word(word)
                _segmenter_instance = tokenizer
    return _segmenter_instance


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _pieces(words: Iterable[str]) -> Iterator[str]:
    """Letters-and-digits runs of each word, Chinese and other scripts kept apart, punctuation dropped."""
    for word in words:
        for piece in _PIECE.findall(word):
            if len(piece) <= MAX_TOKEN_CHARS:
                yield piece


def _is_cjk(token: str) -> bool:
    return _CJK_ONLY.fullmatch(token) is not None


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_terms(text: str) -> list[str]:
    """The tokens stored for a text: jieba's search-mode words, then the Chinese two-character windows jieba did not give."""
    normal = _normalise(text[:MAX_TEXT_CHARS])
    words = list(_pieces(_segmenter().cut_for_search(normal)))
    known = set(words)
    windows = [pair for run in _CJK_RUN.findall(normal) for pair in _bigrams(run) if pair not in known]
    return words + windows


@dataclass(frozen=True)
class Term:
    """One query word; a long Chinese word also matches as all of its two-character windows."""

    word: str
    windows: tuple[str, ...] = ()


def query_terms(text: str) -> list[Term]:
    """The user's text as plain terms (at most ``MAX_QUERY_TERMS``); operators and punctuation are dropped."""
    normal = _normalise(text[:MAX_QUERY_CHARS])
    terms: list[Term] = []
    seen: set[str] = set()
    for word in _pieces(_segmenter().cut(normal)):
        if word in seen:
            continue
        seen.add(word)
        windows = tuple(dict.fromkeys(_bigrams(word))) if _is_cjk(word) and len(word) >= 3 else ()
        terms.append(Term(word, windows))
        if len(terms) == MAX_QUERY_TERMS:
            break
    return terms


def _fts5_query(terms: Sequence[Term]) -> str:
    def quoted(token: str) -> str:
        return '"' + token.replace('"', '""') + '"'

    parts = []
    for term in terms:
        if term.windows:
            parts.append(f"({quoted(term.word)} OR ({' AND '.join(quoted(w) for w in term.windows)}))")
        else:
            parts.append(quoted(term.word))
    return " AND ".join(parts)


def _tsquery(terms: Sequence[Term]) -> str:
    def quoted(token: str) -> str:
        return "'" + token.replace("\\", "").replace("'", "''") + "'"

    parts = []
    for term in terms:
        if term.windows:
            parts.append(f"({quoted(term.word)} | ({' & '.join(quoted(w) for w in term.windows)}))")
        else:
            parts.append(quoted(term.word))
    return " & ".join(parts)


# --- backends -----------------------------------------------------------------------------------------------------


class _Backend(Protocol):
    def store(self, document_id: int, title: str, body: str) -> None: ...

    def forget(self, *, kind: str, key: str | None) -> None: ...

    def matching(
        self, documents: QuerySet[SearchDocument], terms: Sequence[Term], *, scored: bool
    ) -> QuerySet[SearchDocument]: ...

    def optimise(self) -> None: ...


class _Sqlite:
    """FTS5 table keyed by the document's id; joined to the documents for every filter."""

    def store(self, document_id: int, title: str, body: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_search_fts WHERE rowid = %s", [document_id])
            cursor.execute("INSERT INTO core_search_fts (rowid, title, body) VALUES (%s, %s, %s)", [document_id, title, body])

    def forget(self, *, kind: str, key: str | None) -> None:
        with connection.cursor() as cursor:
            if key is None:
                cursor.execute(
                    "DELETE FROM core_search_fts WHERE rowid IN (SELECT id FROM core_searchdocument WHERE kind = %s)", [kind]
                )
            else:
                cursor.execute(
                    'DELETE FROM core_search_fts WHERE rowid IN (SELECT id FROM core_searchdocument WHERE kind = %s AND "key" = %s)',
                    [kind, key],
                )

    def matching(self, documents: QuerySet[SearchDocument], terms: Sequence[Term], *, scored: bool) -> QuerySet[SearchDocument]:
        # The SQL is constant; the user's terms travel as one bound parameter.
        return documents.extra(  # noqa: S610
            select={"score": f"-bm25(core_search_fts, {TITLE_WEIGHT}, 1.0)"} if scored else None,
            tables=["core_search_fts"],
            where=["core_search_fts.rowid = core_searchdocument.id", "core_search_fts MATCH %s"],
            params=[_fts5_query(terms)],
        )

    def optimise(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_search_fts WHERE rowid NOT IN (SELECT id FROM core_searchdocument)")
            cursor.execute("INSERT INTO core_search_fts (core_search_fts) VALUES ('optimize')")


class _Postgres:
    """A tsvector column beside the document's metadata, so filters and the match share one row."""

    def store(self, document_id: int, title: str, body: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_searchdocument SET search_vector = "
                "setweight(to_tsvector('sciport_search', %s), 'A') || setweight(to_tsvector('sciport_search', %s), 'B') "
                "WHERE id = %s",
                [title, body, document_id],
            )

    def forget(self, *, kind: str, key: str | None) -> None:
        """The vector lives in the document's row and goes with it."""

    def matching(self, documents: QuerySet[SearchDocument], terms: Sequence[Term], *, scored: bool) -> QuerySet[SearchDocument]:
        tsquery = _tsquery(terms)
        # The SQL is constant; the user's terms travel as one bound parameter.
        return documents.extra(  # noqa: S610
            select={"score": "ts_rank_cd(core_searchdocument.search_vector, to_tsquery('sciport_search', %s))"}
            if scored
            else None,
            select_params=[tsquery] if scored else None,
            where=["core_searchdocument.search_vector @@ to_tsquery('sciport_search', %s)"],
            params=[tsquery],
        )

    def optimise(self) -> None:
        """Autovacuum keeps the GIN index in shape."""


def _backend() -> _Backend:
    if connection.vendor == "postgresql":
        return _Postgres()
    if connection.vendor == "sqlite":
        return _Sqlite()
    raise NotImplementedError(f"search has no backend for {connection.vendor}")


# --- writing ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """What an app hands to the index for one object."""

    kind: str
    key: str
    visibility: str
    organisation: str = ""
    title_zh: str = ""
    title_en: str = ""
    body_zh: str = ""
    body_en: str = ""
    facets: Mapping[str, str] = field(default_factory=dict)
    updated_at: datetime | None = None


def _check(document: Document) -> None:
    """Programming errors of the indexing app, not user input: they raise ValueError."""
    if not _NAME.fullmatch(document.kind):
        raise ValueError(f"search document kind must look like {_NAME.pattern}, got {document.kind!r}")
    if not document.key or len(document.key) > 64:
        raise ValueError("search document key must be 1 to 64 characters")
    if document.visibility not in VISIBILITIES:
        raise ValueError(f"search document visibility must be one of {VISIBILITIES}, got {document.visibility!r}")
    if document.visibility == ORGANISATION and not document.organisation:
        raise ValueError("a document visible to its organisation needs the organisation")
    for name, value in document.facets.items():
        if not _NAME.fullmatch(name) or not isinstance(value, str):
            raise ValueError(f"facet {name!r} must be named like {_NAME.pattern} and have a text value")


def _clean(text: str) -> str:
    return text.replace("\x00", "")[:MAX_TEXT_CHARS]


def index(document: Document) -> None:
    """Add or replace one document; call it inside the transaction that changed the object."""
    _check(document)
    texts = {name: _clean(getattr(document, name)) for name in ("title_zh", "title_en", "body_zh", "body_en")}
    title = " ".join(index_terms(f"{texts['title_zh']}\n{texts['title_en']}"))
    body = " ".join(index_terms(f"{texts['body_zh']}\n{texts['body_en']}"))
    with transaction.atomic():
        row, _created = SearchDocument.objects.update_or_create(
            kind=document.kind,
            key=document.key,
            defaults={
                "organisation": document.organisation,
                "visibility": document.visibility,
                "facets": {name: value for name, value in document.facets.items() if value},
                "updated_at": document.updated_at or timezone.now(),
                **texts,
            },
        )
        _backend().store(row.pk, title, body)


def remove(kind: str, key: str) -> None:
    """Take one document out of the index; nothing happens when it is not there."""
    with transaction.atomic():
        _backend().forget(kind=kind, key=key)
        SearchDocument.objects.filter(kind=kind, key=key).delete()


def clear(kind: str) -> None:
    """Take every document of a kind out of the index (before a rebuild)."""
    with transaction.atomic():
        _backend().forget(kind=kind, key=None)
        SearchDocument.objects.filter(kind=kind).delete()


def optimise() -> None:
    """Drop index rows whose document is gone and compact the index (after a rebuild)."""
    _backend().optimise()


# --- reading ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    organisation: str
    title_zh: str
    title_en: str
    snippet: str  # HTML: the passage escaped, the matches wrapped in <mark>
    score: float
    facets: dict[str, str]
    updated_at: datetime

    def title(self, language: str) -> str:
        preferred = self.title_en if language.startswith("en") else self.title_zh
        return preferred or self.title_zh or self.title_en


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    next_cursor: str | None


def _visible(*, signed_in: bool, viewer_organisations: Iterable[str]) -> Q:
    """Documents a caller may see: public ones, signed-in ones when signed in, and their organisations' own."""
    visible = Q(visibility=PUBLIC)
    if signed_in:
        visible |= Q(visibility=SIGNED_IN)
    organisations = sorted({organisation for organisation in viewer_organisations if organisation})
    if organisations:
        visible |= Q(visibility=ORGANISATION, organisation__in=organisations)
    return visible


def _facet(name: str) -> Cast:
    # Compared as plain text: a bare key transform compares JSON values on SQLite.
    return Cast(KeyTextTransform(name, "facets"), output_field=TextField())


def _matching(
    text: str,
    *,
    kinds: Sequence[str],
    signed_in: bool,
    viewer_organisations: Iterable[str],
    facets: Mapping[str, str] | None,
    scored: bool,
    skip_facet: str | None = None,
) -> tuple[QuerySet[SearchDocument] | None, list[Term]]:
    """Visible documents of the kinds and facet values, matching the text (None: the text can match nothing)."""
    documents = SearchDocument.objects.filter(_visible(signed_in=signed_in, viewer_organisations=viewer_organisations))
    if kinds:
        documents = documents.filter(kind__in=list(kinds))
    for name, value in (facets or {}).items():
        if not _NAME.fullmatch(name):
            raise ValueError(f"facet names look like {_NAME.pattern}, got {name!r}")
        if name != skip_facet and value:
            # A NUL cannot reach PostgreSQL in a parameter, and no stored value has one.
            wanted = value.replace("\x00", "")
            documents = documents.alias(**{f"facet_{name}": _facet(name)}).filter(**{f"facet_{name}": wanted})
    if not text.strip():
        return documents, []
    terms = query_terms(text)
    if not terms:
        return None, []
    return _backend().matching(documents, terms, scored=scored), terms


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["offset"]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_OFFSET:
            raise ValueError
        return value
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationFailed(errors=[FieldError("cursor", _("This cursor is not one we gave out."))]) from None


def query(
    text: str,
    *,
    kinds: Sequence[str] = (),
    signed_in: bool = False,
    viewer_organisations: Iterable[str] = (),
    facets: Mapping[str, str] | None = None,
    language: str = "zh-hans",
    limit: int = 20,
    cursor: str | None = None,
) -> SearchPage:
    """One page of the documents the caller may see, best match first; blank text lists them newest first.

    The cursor is an offset into the ranking: relevance order has no stable key, so a
    page may repeat or skip a document that was indexed between two requests.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(errors=[FieldError("limit", _("Ask for between 1 and %d items.") % MAX_LIMIT)])
    offset = _decode_cursor(cursor) if cursor else 0
    viewer_organisations = list(viewer_organisations)
    matched, terms = _matching(
        text, kinds=kinds, signed_in=signed_in, viewer_organisations=viewer_organisations, facets=facets, scored=True
    )
    if matched is None:
        return SearchPage([], None)
    ordered = matched.order_by("-score", "id") if terms else matched.order_by("-updated_at", "-id")
    rows = list(ordered[offset : offset + limit + 1])
    more = len(rows) > limit and offset + limit < MAX_OFFSET
    highlight = _highlighter(terms)
    hits = [
        Hit(
            kind=row.kind,
            key=row.key,
            organisation=row.organisation,
            title_zh=row.title_zh,
            title_en=row.title_en,
            snippet=_snippet(row, highlight, language),
            score=float(getattr(row, "score", 0.0) or 0.0),
            facets=dict(row.facets),
            updated_at=row.updated_at,
        )
        for row in rows[:limit]
    ]
    return SearchPage(hits, _encode_cursor(offset + limit) if more else None)


def facet_counts(
    text: str,
    *,
    keys: Sequence[str],
    kinds: Sequence[str] = (),
    signed_in: bool = False,
    viewer_organisations: Iterable[str] = (),
    facets: Mapping[str, str] | None = None,
) -> dict[str, dict[str, int]]:
    """For each facet, how many visible matching documents have each value, most first.

    Each facet is counted with every other facet's filter applied but not its own, so
    the counts show what choosing another value of that facet would give.
    """
    viewer_organisations = list(viewer_organisations)
    counts: dict[str, dict[str, int]] = {}
    for key in keys:
        if not _NAME.fullmatch(key):
            raise ValueError(f"facet names look like {_NAME.pattern}, got {key!r}")
        matched, _terms = _matching(
            text,
            kinds=kinds,
            signed_in=signed_in,
            viewer_organisations=viewer_organisations,
            facets=facets,
            scored=False,
            skip_facet=key,
        )
        if matched is None:
            counts[key] = {}
            continue
        rows = matched.values(facet_value=_facet(key)).annotate(documents=Count("id")).order_by()
        pairs = [(str(row["facet_value"]), row["documents"]) for row in rows if row["facet_value"] not in (None, "")]
        counts[key] = dict(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))
    return counts


# --- snippets -----------------------------------------------------------------------------------------------------


def _light_stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _highlighter(terms: Sequence[Term]) -> re.Pattern[str] | None:
    """What to mark in the original text: the query words (Latin ones by stem) and the windows of long Chinese words."""
    tokens = {token for term in terms for token in (term.word, *term.windows)}
    patterns = []
    for token in sorted(tokens, key=len, reverse=True):
        if token.isascii():
            patterns.append(rf"(?<![a-z0-9]){re.escape(_light_stem(token))}[a-z0-9]*")
        else:
            patterns.append(re.escape(token))
    return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


def _marked(text: str, highlight: re.Pattern[str] | None) -> str:
    if highlight is None:
        return html.escape(text)
    out, position = [], 0
    for match in highlight.finditer(text):
        if match.end() == match.start():
            continue
        out.append(html.escape(text[position : match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


def _window(text: str, around: int, highlight: re.Pattern[str] | None) -> str:
    start = max(0, around - SNIPPET_CHARS // 4)
    end = min(len(text), start + SNIPPET_CHARS)
    return ("…" if start else "") + _marked(text[start:end], highlight) + ("…" if end < len(text) else "")


def _snippet(row: SearchDocument, highlight: re.Pattern[str] | None, language: str) -> str:
    """The first matching passage of the body, then of the title, the reader's language first; else the body's start."""
    english_first = language.startswith("en")
    bodies = [row.body_en, row.body_zh] if english_first else [row.body_zh, row.body_en]
    titles = [row.title_en, row.title_zh] if english_first else [row.title_zh, row.title_en]
    texts = [" ".join(text.split()) for text in [*bodies, *titles] if text.strip()]
    for text in texts if highlight is not None else []:
        found = highlight.search(text) if highlight is not None else None
        if found:
            return _window(text, found.start(), highlight)
    return _window(texts[0], 0, highlight) if texts else ""


# --- rebuilding ---------------------------------------------------------------------------------------------------

Rebuild = Callable[[], int]
_rebuilds: dict[str, Rebuild] = {}


def register_rebuild(name: str, rebuild: Rebuild) -> None:
    """An app's ``search`` module names a function that re-indexes its documents and returns how many."""
    _rebuilds[name] = rebuild


def registered_rebuilds() -> dict[str, Rebuild]:
    """Every app's rebuild function, after importing each installed app's ``search`` module."""
    autodiscover_modules("search")
    return dict(sorted(_rebuilds.items()))
