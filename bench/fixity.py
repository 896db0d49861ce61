"""A fixity run over a dataset's stored files, against hashing the same files straight from disk.

The sciport side is ``fixity_run`` (manual trigger): the least-recently-checked query,
each object read through ``core.storage.checksum`` in 1 MiB pieces, one result row per
object, the run's totals. The baseline opens each stored file and feeds it to
``hashlib.sha256`` in 1 MiB pieces, nothing else. Both read from the page cache after a
warm-up read, so the ratio is sciport's overhead, not the disk. Goal: sciport within
1.2× of the baseline. A run that reports a problem on intact content is invalid (exit 1).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._common import ROOT, auto_publishing_community, fresh_var_dir, machine_facts, setup_django, write_results

RESULTS = ROOT / "bench" / "results" / "fixity.json"
GOAL_FACTOR = 1.2
PIECE = 1024 * 1024


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fixity", description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=64)
    parser.add_argument("--mib", type=int, default=16, help="size of each file in MiB")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


@dataclass
class Round:
    way: str
    seconds: float
    mib_per_second: float


def stored_dataset(files: int, mib: int) -> list[Path]:
    """A published dataset of ``files`` distinct files; returns their paths on disk."""
    from django.core.files.storage import default_storage

    from sciport.datasets.services import files as file_services
    from sciport.datasets.services import lifecycle
    from sciport.testing.datasets import sample_metadata

    person, community = auto_publishing_community("bench-fixity@example.org")
    version = lifecycle.dataset_create(actor=person, community=community, metadata=sample_metadata())
    block = os.urandom(PIECE)
    for number in range(files):
        data = number.to_bytes(8, "big") + block[8:] + block * (mib - 1)
        file_services.version_add_bytes(actor=person, version=version, path=f"data/part-{number:04}.bin", data=data)
    version.refresh_from_db()
    lifecycle.version_transition(actor=person, version=version, event="submit")
    return [Path(default_storage.path(name)) for name in version.files.values_list("blob_name", flat=True)]


def hash_directly(paths: list[Path]) -> None:
    for path in paths:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while piece := handle.read(PIECE):
                digest.update(piece)


def run_fixity() -> Any:
    from sciport.datasets.models import FixityRun
    from sciport.datasets.services.fixity import fixity_run

    run = fixity_run(trigger=FixityRun.Trigger.MANUAL)
    if run.problems:
        raise RuntimeError(f"{run.problems} problem(s) reported on intact content")
    return run


def run(args: argparse.Namespace) -> int:
    var_dir = fresh_var_dir("sciport-bench-fixity-")
    os.environ.setdefault("SCIPORT_LOG_LEVEL", "WARNING")
    rounds: list[Round] = []
    total_mib = args.files * args.mib
    try:
        vendor = setup_django(cache_table=False)
        paths = stored_dataset(args.files, args.mib)
        hash_directly(paths)  # warm the page cache for both sides
        for number in range(args.rounds):
            order = ["sciport", "direct"] if number % 2 == 0 else ["direct", "sciport"]
            for way in order:
                started = time.perf_counter()
                if way == "sciport":
                    run_fixity()
                else:
                    hash_directly(paths)
                seconds = time.perf_counter() - started
                result = Round(way, round(seconds, 3), round(total_mib / seconds, 1))
                print(f"  round {number + 1} {way:8} {result.seconds:8.3f} s  {result.mib_per_second:9.1f} MiB/s", flush=True)
                rounds.append(result)
    except RuntimeError as error:
        print(f"fixity: INVALID: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    best = {way: min((r for r in rounds if r.way == way), key=lambda r: r.seconds) for way in ("sciport", "direct")}
    factor = best["sciport"].seconds / best["direct"].seconds
    summary = {
        "benchmark": "fixity",
        "output": str(args.output),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "goal": f"sciport / direct <= {GOAL_FACTOR}",
        "factor_sciport_over_direct": round(factor, 3),
        "goal_met": factor <= GOAL_FACTOR,
        "files": args.files,
        "mib": total_mib,
        "selection": f"best of {args.rounds} alternating rounds",
        "best": {way: asdict(result) for way, result in best.items()},
        "rounds": [asdict(result) for result in rounds],
        "machine": machine_facts(vendor, storage="local disk"),
    }
    write_results(args.output, summary)
    verdict = "meets" if summary["goal_met"] else "MISSES"
    print(
        f"\nfixity — {args.files} files ({total_mib} MiB), {vendor}: sciport {best['sciport'].seconds:.3f} s, "
        f"direct sha256 {best['direct'].seconds:.3f} s, factor {factor:.2f} ({verdict} the goal of {GOAL_FACTOR}×)\n"
        f"results: {args.output}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
