"""Dataset search latency over a large generated index, through the search service and once through HTTP.

The index rows are generated in bulk, straight into ``core_searchdocument`` and the
backend's text index (SQLite FTS5 table or PostgreSQL tsvector column), with the tokens
``sciport.core.search`` would store: each title and body is made of words from a small
Chinese and English vocabulary (2,500 made-up words in each language around 40 real
ones, drawn with Zipf-like frequencies so that a real word is in 0.2–3 % of the
documents), and a document's tokens are its words' ``index_terms``
(so the two-character windows across two neighbouring Chinese words are missing; every
query word below is a whole word of the vocabulary). Facets are spread like a real
catalogue's: 40 organisations, 40 fields of science, 8 licences, 15 years, 3 access
levels, 12 file types.

Timed, in the same run, after a warm-up:

- ``service``: ``sciport.datasets.search.dataset_search`` (query page, the visibility
  re-check of the hits, and the six facet counts) for a mix of Chinese two-character
  words, English words, words with one or two facet filters, and facet filters alone;
  the generated documents have no versions behind them, so the re-check drops every hit
  (it is timed, the page's version rows are not);
- ``baseline``: fetching one search document by its key (the cheapest indexed read);
- ``http``: the same queries as ``GET /api/v1/datasets/search`` through ``sciport serve``,
  against ``/healthz`` as its baseline.

Goal: service p95 ≤ 50 ms (100,000 documents on SQLite, 1,000,000 on PostgreSQL).
Results go to ``bench/results/dataset_search_<vendor>.json``. For PostgreSQL, point
``SCIPORT_DATABASE_URL`` at an empty database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench._common import (
    HOST,
    ROOT,
    fresh_var_dir,
    latency_ms,
    machine_facts,
    percentile,
    print_server_log_tail,
    server_description,
    serving,
    setup_django,
    write_results,
)

GOAL_P95_MS = 50.0
BATCH = 20_000
SYNTHETIC_WORDS = 2_500
ZH_WORDS = (
    "空气", "质量", "长三角", "气象", "降水", "土壤", "水文", "海洋", "温度", "观测", "遥感", "植被", "地铁", "客流",
    "交通", "能源", "电池", "材料", "基因", "蛋白", "细胞", "医院", "病例", "人口", "经济", "农业", "作物", "森林",
    "湖泊", "河流", "冰川", "地震", "台风", "城市", "卫星", "光谱", "化学", "分子", "晶体", "数据集",
)  # fmt: skip
EN_WORDS = (
    "air", "quality", "delta", "weather", "rainfall", "soil", "hydrology", "ocean", "temperature", "observations",
    "remote", "sensing", "vegetation", "metro", "ridership", "traffic", "energy", "battery", "materials", "genome",
    "protein", "cell", "hospital", "cases", "population", "economy", "agriculture", "crops", "forest", "lakes",
    "rivers", "glacier", "earthquake", "typhoon", "urban", "satellite", "spectra", "chemistry", "molecules", "crystals",
)  # fmt: skip
LICENCES = ("CC-BY-4.0", "CC0-1.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "ODbL-1.0", "PDDL-1.0", "MIT", "Apache-2.0")
FILE_TYPES = ("csv", "nc", "tif", "json", "xlsx", "h5", "zip", "txt", "parquet", "shp", "pdf", "fastq")
ACCESS = ("open", "open", "open", "restricted", "embargoed")
QUERIES: tuple[dict[str, str], ...] = (
    {"q": "空气"},
    {"q": "客流"},
    {"q": "海洋 温度"},
    {"q": "glacier"},
    {"q": "remote sensing"},
    {"q": "battery materials"},
    {"q": "降水", "year": "2020"},
    {"q": "ocean", "licence": "CC0-1.0", "access": "open"},
    {"q": "基因", "file_type": "fastq"},
    {"year": "2021", "file_type": "csv"},
    {"subject": "1.5"},
    {"q": "typhoon 卫星"},
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dataset_search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, help="generated documents (default 100,000 on SQLite, 1,000,000 on PostgreSQL)")
    parser.add_argument("--rounds", type=int, default=25, help="timed passes over the query mix (default 25)")
    parser.add_argument("--http-rounds", type=int, default=10, help="timed passes through HTTP (default 10)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SCIPORT_WORKERS", "2")))
    parser.add_argument("--output", type=Path, help="results file (default bench/results/dataset_search_<vendor>.json)")
    return parser.parse_args(argv)


def _vocabulary(rng: random.Random) -> tuple[list[str], list[str], list[float]]:
    """Chinese and English words, synthetic ones around the real ones, with Zipf-like cumulative weights."""
    pool = "天地水火山风云雨石金木光电声热冷海河湖林田城路桥星月日时新旧高低深浅南北东西中外生化物理数算图像草花鸟鱼虫兽"
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    zh_synthetic = sorted({a + b for a in pool for b in pool if a != b} - set(ZH_WORDS))[:SYNTHETIC_WORDS]
    en_synthetic = sorted({a + b + c for a in syllables[:20] for b in syllables for c in syllables[:12]} - set(EN_WORDS))
    en_synthetic = rng.sample(en_synthetic, SYNTHETIC_WORDS)
    zh, en = list(zh_synthetic), list(en_synthetic)
    for rank, (zh_word, en_word) in enumerate(zip(ZH_WORDS, EN_WORDS, strict=True)):
        zh.insert(20 + rank * 20, zh_word)  # real words from the 20th to the 800th most common
        en.insert(20 + rank * 20, en_word)
    total, cumulative = 0.0, []
    for rank in range(len(zh)):
        total += 1 / (rank + 1)
        cumulative.append(total)
    return zh, en, cumulative


def _documents(count: int) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    """Rows of core_searchdocument (without id) with their title and body tokens."""
    from sciport.core.search import index_terms

    rng = random.Random(5)  # noqa: S311 -- test data, not secrets
    zh_words, en_words, weights = _vocabulary(rng)
    terms = {word: " ".join(index_terms(word)) for word in (*zh_words, *en_words)}
    fields = [f"1.{n}" for n in range(1, 8)] + [f"{m}.{n}" for m in range(2, 7) for n in range(1, 7)] + ["7"]
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def words(vocabulary: list[str], k: int) -> list[str]:
        return list(dict.fromkeys(rng.choices(vocabulary, cum_weights=weights, k=k)))

    for number in range(count):
        zh, en = words(zh_words, 4), words(en_words, 4)
        zh_body, en_body = words(zh_words, 10), words(en_words, 12)
        facets = {
            "organisation": f"org_bench{number % 40:02d}",
            "subject": fields[number % len(fields)],
            "licence": LICENCES[rng.randrange(len(LICENCES))],
            "year": str(2011 + number % 15),
            "access": ACCESS[rng.randrange(len(ACCESS))],
            "file_type": FILE_TYPES[rng.randrange(len(FILE_TYPES))],
        }
        row = (
            "dataset",
            f"ds_bench{number:08d}",
            facets["organisation"],
            "public",
            "".join(zh) + f" {number}",
            " ".join(en).capitalize() + f" {number}",
            "，".join(zh_body) + "。",
            " ".join(en_body) + ".",
            json.dumps(facets, ensure_ascii=False),
            start - timedelta(minutes=number),
        )
        title = " ".join([*(terms[w] for w in zh), *(terms[w] for w in en), str(number)])
        body = " ".join([*(terms[w] for w in zh_body), *(terms[w] for w in en_body)])
        yield row, title, body


COLUMNS = "kind, key, organisation, visibility, title_zh, title_en, body_zh, body_en, facets, updated_at"


def _load_sqlite(count: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM core_searchdocument")
        next_id = cursor.fetchone()[0] + 1
        documents, texts = [], []
        for row, title, body in _documents(count):
            documents.append((next_id, *row[:-1], row[-1].isoformat()))
            texts.append((next_id, title, body))
            next_id += 1
            if len(documents) == BATCH:
                _flush_sqlite(cursor, documents, texts)
        _flush_sqlite(cursor, documents, texts)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_search_fts (core_search_fts) VALUES ('optimize')")
        cursor.execute("ANALYZE")


def _flush_sqlite(cursor: Any, documents: list[tuple[Any, ...]], texts: list[tuple[Any, ...]]) -> None:
    cursor.executemany(
        f"INSERT INTO core_searchdocument (id, {COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",  # noqa: S608 -- constant columns
        documents,
    )
    cursor.executemany("INSERT INTO core_search_fts (rowid, title, body) VALUES (%s, %s, %s)", texts)
    documents.clear()
    texts.clear()


def _load_postgres(count: int) -> None:
    """COPY into an unlogged staging table, then one INSERT … SELECT that builds the vectors, GIN index built after."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS core_searchdocument_vector")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_search_stage (kind text, key text, organisation text, visibility text, title_zh text, "
            "title_en text, body_zh text, body_en text, facets jsonb, updated_at timestamptz, title_terms text, body_terms text)"
        )
        with cursor.copy(f"COPY bench_search_stage ({COLUMNS}, title_terms, body_terms) FROM STDIN") as copy:
            for row, title, body in _documents(count):
                copy.write_row((*row, title, body))
        cursor.execute(
            f"INSERT INTO core_searchdocument ({COLUMNS}, search_vector) SELECT {COLUMNS}, "  # noqa: S608 -- constant columns
            "setweight(to_tsvector('sciport_search', title_terms), 'A') || setweight(to_tsvector('sciport_search', body_terms), 'B') "
            "FROM bench_search_stage"
        )
        cursor.execute("DROP TABLE bench_search_stage")
        cursor.execute("CREATE INDEX core_searchdocument_vector ON core_searchdocument USING gin (search_vector)")
        cursor.execute("ANALYZE core_searchdocument")
    raw.commit()


def generate(vendor: str, count: int) -> float:
    started = time.perf_counter()
    (_load_postgres if vendor == "postgresql" else _load_sqlite)(count)
    return time.perf_counter() - started


def _timed(call: Callable[[], Any], rounds: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def time_service(rounds: int) -> tuple[dict[str, Any], dict[str, int]]:
    from django.contrib.auth.models import AnonymousUser

    from sciport.core.models import SearchDocument
    from sciport.datasets.search import dataset_search

    anonymous = AnonymousUser()
    matches: dict[str, int] = {}
    per_query: dict[str, list[float]] = {}
    for params in QUERIES:
        label = urlencode(params)
        text = params.get("q", "")
        filters = {name: value for name, value in params.items() if name != "q"}
        results = dataset_search(anonymous, text=text, filters=filters, language="en")
        matches[label] = sum(results.facets["access"].values())
        per_query[label] = _timed(partial(dataset_search, anonymous, text=text, filters=filters, language="en"), rounds)
    every = sorted(t for timings in per_query.values() for t in timings)
    baseline = _timed(
        lambda: SearchDocument.objects.filter(kind="dataset", key="ds_bench00000042").first(), rounds * len(QUERIES)
    )
    summary: dict[str, Any] = {
        "service": latency_ms(every),
        "baseline_document_by_key": latency_ms(baseline),
        "per_query_p95_ms": {label: round(percentile(timings, 0.95), 2) for label, timings in per_query.items()},
    }
    summary["service_p50_ratio_to_baseline"] = round(
        summary["service"]["p50_ms"] / summary["baseline_document_by_key"]["p50_ms"], 1
    )
    return summary, matches


def _get(connection: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return (time.perf_counter() - started) * 1000


def time_http(workers: int, rounds: int, var_dir: Path) -> dict[str, Any]:
    log = var_dir / "server.log"
    try:
        with serving(workers, log) as port:
            connection = http.client.HTTPConnection(HOST, port, timeout=60)
            paths = ["/api/v1/datasets/search?" + urlencode(params) for params in QUERIES]
            for path in paths:  # warm-up
                _get(connection, path)
            searches = sorted(t for _ in range(rounds) for t in (_get(connection, path) for path in paths))
            health = sorted(_get(connection, "/healthz") for _ in range(rounds * len(paths)))
            body = json.loads(_fetch(connection, paths[0]))
            connection.close()
    except Exception:
        print_server_log_tail(log)
        raise
    summary: dict[str, Any] = {"search": latency_ms(searches), "baseline_healthz": latency_ms(health)}
    summary["search_p50_ratio_to_healthz"] = round(summary["search"]["p50_ms"] / summary["baseline_healthz"]["p50_ms"], 1)
    summary["first_query_facet_total"] = sum(value["count"] for value in body["facets"]["access"])
    summary["server"] = server_description(workers)
    return summary


def _fetch(connection: http.client.HTTPConnection, path: str) -> bytes:
    connection.request("GET", path)
    return connection.getresponse().read()


def run(args: argparse.Namespace) -> int:
    var_dir = fresh_var_dir("sciport-bench-search-")
    vendor = setup_django(cache_table=True)
    count = args.records or (1_000_000 if vendor == "postgresql" else 100_000)
    print(f"generating {count:,} search documents on {vendor} …", flush=True)
    seconds = generate(vendor, count)
    print(f"generated in {seconds:.1f} s", flush=True)
    service, matches = time_service(args.rounds)
    print(json.dumps({"service": service, "matching_documents": matches}, indent=2, ensure_ascii=False), flush=True)
    http_summary = time_http(args.workers, args.http_rounds, var_dir)
    print(json.dumps({"http": http_summary}, indent=2), flush=True)
    summary = {
        "benchmark": "dataset_search",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(vendor),
        "documents": count,
        "generation_seconds": round(seconds, 1),
        "goal_service_p95_ms": GOAL_P95_MS,
        "goal_met": service["service"]["p95_ms"] <= GOAL_P95_MS,
        "service": service,
        "matching_documents": matches,
        "http": http_summary,
    }
    write_results(args.output or ROOT / "bench" / "results" / f"dataset_search_{vendor}.json", summary)
    print(
        f"service p95 {service['service']['p95_ms']} ms (goal ≤ {GOAL_P95_MS:.0f} ms): {'met' if summary['goal_met'] else 'NOT met'}"
    )
    return 0 if matches[urlencode(QUERIES[0])] else 1  # the common word must be found


if __name__ == "__main__":
    sys.exit(run(parse_args(sys.argv[1:])))
