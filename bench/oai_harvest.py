"""OAI-PMH harvest of 100,000 records with the Sickle client through ``sciport serve``, against Sickle parsing the same pages.

The records are bulk-inserted published versions with realistic DataCite metadata (two-language
titles, one to five creators with ORCID and ROR identifiers, subjects, keywords, abstracts of a
few hundred characters, licences), 1% of them withdrawn (deleted records). Their OAI metadata is
rendered first, as publication would have (timed: the cost a cold harvest pays once per record
and change). Then Sickle's ``ListRecords`` walks every resumption page (100 records a page) in
``oai_dc`` and in ``oai_datacite``. The baseline, in the same run, replays the pages the server
sent into the same Sickle iterator with no server at all: the client's own share of the cost.

Goal: ≥ 3,000 records/s through the server. Printed: records/s per format, the baseline's
records/s and the ratio. Results go to ``bench/results/oai_harvest.json``; a harvest that
does not see every record makes the run invalid (exit 1).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._common import (
    HOST,
    ROOT,
    auto_publishing_community,
    fresh_var_dir,
    machine_facts,
    print_server_log_tail,
    server_description,
    serving,
    setup_django,
    write_results,
)
from sickle import Sickle
from sickle.response import OAIResponse

RESULTS = ROOT / "bench" / "results" / "oai_harvest.json"
GOAL_RECORDS_PER_SECOND = 3000.0
WITHDRAWN_SHARE = 0.01
BATCH = 2000
WORDS = [
    "aerosol",
    "precipitation",
    "glacier",
    "permafrost",
    "salinity",
    "chlorophyll",
    "wetland",
    "sediment",
    "isotope",
    "methane",
    "turbulence",
    "monsoon",
    "drought",
    "canopy",
    "genome",
    "phenology",
    "watershed",
    "karst",
    "estuary",
    "plankton",
    "ozone",
]
FAMILIES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Smith", "García"]
GIVEN = ["Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Hui", "Anna", "Tom", "Lucía"]
SUBJECTS = ["Atmospheric sciences", "Earth and related environmental sciences", "Biological sciences", "Oceanography"]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.oai_harvest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="published versions (default 100,000)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def metadata(rng: random.Random, n: int) -> dict[str, Any]:
    topic = " ".join(rng.sample(WORDS, 3))
    creators = [
        {
            "name": f"{family}, {given}",
            "nameType": "Personal",
            "givenName": given,
            "familyName": family,
            "nameIdentifiers": [
                {
                    "nameIdentifier": f"https://orcid.org/0000-0002-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                    "nameIdentifierScheme": "ORCID",
                }
            ],
            "affiliation": [
                {
                    "name": "Fudan University",
                    "affiliationIdentifier": "https://ror.org/013q1eq08",
                    "affiliationIdentifierScheme": "ROR",
                }
            ],
        }
        for family, given in ((rng.choice(FAMILIES), rng.choice(GIVEN)) for _ in range(rng.randint(1, 5)))
    ]
    abstract = " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "."
    return {
        "titles": [{"title": f"{topic} observations {n}", "lang": "en"}, {"title": f"{topic} 观测数据 {n}", "lang": "zh"}],
        "creators": creators,
        "publisher": {"name": "sciport Science Data Bank"},
        "publicationYear": str(rng.randint(2015, 2026)),
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Field measurements"},
        "descriptions": [{"description": abstract, "descriptionType": "Abstract", "lang": "en"}],
        "rightsList": [{"rightsIdentifier": "CC-BY-4.0", "rightsIdentifierScheme": "SPDX"}],
        "subjects": [{"subject": rng.choice(SUBJECTS), "subjectScheme": "OECD FOS"}],
        "keywords": rng.sample(WORDS, 4),
        "language": "en",
    }


def bulk_create(count: int) -> None:
    """``count`` published versions of as many concepts, inserted in batches (no lifecycle, no files)."""
    from django.conf import settings

    from sciport.datasets.models import Dataset, DatasetVersion, VersionState

    person, community = auto_publishing_community("oai-bench@example.org")
    rng = random.Random(7)  # noqa: S311  # reproducible sample data, not secrets
    now = datetime.now(UTC)
    for start in range(0, count, BATCH):
        numbers = range(start, min(count, start + BATCH))
        datasets = Dataset.objects.bulk_create(
            Dataset(
                organisation=community.organisation,
                community=community,
                created_by=person,
                concept_pid=f"{settings.PID_PREFIX}/oai.c{n}",
            )
            for n in numbers
        )
        versions = []
        for n, dataset in zip(numbers, datasets, strict=True):
            meta = metadata(rng, n)
            withdrawn = rng.random() < WITHDRAWN_SHARE
            versions.append(
                DatasetVersion(
                    dataset=dataset,
                    organisation=community.organisation,
                    version_number=1,
                    state=VersionState.WITHDRAWN if withdrawn else VersionState.PUBLISHED,
                    pid=f"{settings.PID_PREFIX}/oai.v{n}",
                    metadata=meta,
                    title_en=meta["titles"][0]["title"],
                    title_zh=meta["titles"][1]["title"],
                    file_count=3,
                    total_bytes=rng.randrange(10**6, 10**10),
                    created_by=person,
                    published_at=now,
                    withdrawn_at=now if withdrawn else None,
                    withdrawal_reason="Consent withdrawn." if withdrawn else "",
                )
            )
        DatasetVersion.objects.bulk_create(versions)


def render_all() -> float:
    """Render every record's metadata through the server's own cache; returns records/s."""
    from sciport.datasets.models import DatasetVersion, VersionState
    from sciport.datasets.oai.formats import fragments

    rows = list(DatasetVersion.objects.filter(state=VersionState.PUBLISHED).order_by("pk").values_list("pk", "updated_at"))
    started = time.perf_counter()
    for start in range(0, len(rows), 500):
        fragments(rows[start : start + 500], "oai_dc")
    return len(rows) / (time.perf_counter() - started)


class Recording(Sickle):
    """Sickle that keeps every page the server sent, to replay them without a server."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages: list[Any] = []

    def harvest(self, **kwargs: Any) -> OAIResponse:
        response = super().harvest(**kwargs)
        self.pages.append(response.http_response)
        return response


class Replay(Sickle):
    """Sickle whose pages come from a list instead of HTTP: the same parsing and iteration, no server."""

    def __init__(self, pages: list[Any]) -> None:
        super().__init__("http://replay.invalid/oai")
        self.remaining = iter(pages)

    def harvest(self, **kwargs: Any) -> OAIResponse:
        return OAIResponse(next(self.remaining), params=kwargs)


def harvest(client: Sickle, prefix: str) -> tuple[int, int, float]:
    """(records, deleted, seconds) of one full ListRecords walk."""
    started = time.perf_counter()
    records = deleted = 0
    for record in client.ListRecords(metadataPrefix=prefix):
        records += 1
        deleted += record.deleted
    return records, deleted, time.perf_counter() - started


def main(argv: list[str]) -> int:
    arguments = parse_args(argv)
    var_dir = fresh_var_dir("sciport-bench-oai-")
    database = setup_django(cache_table=False)
    started = time.perf_counter()
    bulk_create(arguments.records)
    created_seconds = time.perf_counter() - started
    render_rate = render_all()
    print(
        f"{arguments.records} records created in {created_seconds:.1f} s; metadata rendered at {render_rate:,.0f} records/s",
        flush=True,
    )
    log_path = var_dir / "server.log"
    results: dict[str, Any] = {}
    valid = True
    try:
        with serving(1, log_path) as port:
            for prefix in ("oai_dc", "oai_datacite"):
                client = Recording(f"http://{HOST}:{port}/oai", max_retries=0)
                records, deleted, seconds = harvest(client, prefix)
                replay_records, _, replay_seconds = harvest(Replay(client.pages), prefix)
                rate, replay_rate = records / seconds, replay_records / replay_seconds
                valid &= records == arguments.records and replay_records == records
                results[prefix] = {
                    "records": records,
                    "deleted": deleted,
                    "pages": len(client.pages),
                    "seconds": round(seconds, 2),
                    "records_per_second": round(rate),
                    "baseline_replay_records_per_second": round(replay_rate),
                    "ratio_to_baseline": round(rate / replay_rate, 3),
                    "goal_met": rate >= GOAL_RECORDS_PER_SECOND,
                }
                print(
                    f"{prefix}: {records} records ({deleted} deleted) in {len(client.pages)} pages, {seconds:.1f} s: "
                    f"{rate:,.0f} records/s; Sickle replaying the same pages: {replay_rate:,.0f} records/s; "
                    f"ratio {rate / replay_rate:.2f} (goal ≥ {GOAL_RECORDS_PER_SECOND:,.0f}/s: {'met' if rate >= GOAL_RECORDS_PER_SECOND else 'NOT met'})",
                    flush=True,
                )
    except Exception:
        print_server_log_tail(log_path)
        raise
    write_results(
        arguments.output,
        {
            "benchmark": "oai_harvest",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "records": arguments.records,
            "bulk_create_seconds": round(created_seconds, 1),
            "render_records_per_second": round(render_rate),
            "server": server_description(1),
            "machine": machine_facts(database),
            "harvests": results,
            "valid": valid,
        },
    )
    if not valid:
        print("invalid: a harvest did not see every record", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
