"""Create and publish a dataset of 10,000 small files through the services, against writing the same files to storage.

The sciport side, timed from the first service call to the published version: the
depositor starts a dataset (identifiers minted), uploads the files as one ZIP through the
uploads services (tus: create, one chunk, the content checksummed and stored) to the
``dataset`` target with ``unpack=true``, so the upload's completion unpacks it (every
entry checked, hashed, stored under its checksum; 10,000 file rows, their folders and
one audit event in one transaction); then submits, which publishes it (an auto-publish
community). The baseline writes the same 10,000 files with ``core.storage.write`` (the
same storage, the same fsync per file), and nothing else.

The ZIP is made before the clock starts (it is the depositor's work, on their machine).
Files are 1-4 KB CSVs in 100 folders, deflated. Goal: sciport within 3× of the direct
writes. Rounds alternate the order; the best of each is reported, every round kept in
``bench/results/publish_10k.json``. A published version without all 10,000 files, or with
content that does not read back, makes the run invalid (exit 1).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import sys
import time
import zipfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._common import ROOT, auto_publishing_community, fresh_var_dir, machine_facts, setup_django, write_results

RESULTS = ROOT / "bench" / "results" / "publish_10k.json"
GOAL_FACTOR = 3.0
FOLDERS = 100


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.publish_10k", description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


@dataclass
class Round:
    way: str
    seconds: float
    files_per_second: float


def make_files(count: int) -> dict[str, bytes]:
    """Small CSVs with varied content (no two alike), spread over folders."""
    chooser = random.Random(20_251_125)  # noqa: S311 - sample data, not a secret
    files = {}
    for number in range(count):
        rows = "".join(f"{chooser.randint(0, 10**6)},{chooser.random():.6f}\n" for _ in range(chooser.randint(40, 160)))
        files[f"station-{number % FOLDERS:03}/reading-{number:05}.csv"] = ("id,value\n" + rows).encode()
    return files


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return buffer.getvalue()


class Depositor:
    """A person with an organisation and an auto-publishing community, made once."""

    def __init__(self) -> None:
        self.person, self.community = auto_publishing_community("bench-publish@example.org")

    def publish(self, archive: bytes) -> Any:
        """The timed part: a dataset from nothing to published, through the services."""
        from sciport.datasets.services import lifecycle
        from sciport.testing.datasets import sample_metadata
        from sciport.uploads import services as uploads

        version = lifecycle.dataset_create(actor=self.person, community=self.community, metadata=sample_metadata())
        metadata = {"version_id": version.public_id, "path": "readings.zip", "unpack": "true"}
        upload = uploads.upload_create(actor=self.person, target="dataset", metadata=metadata, length=len(archive))
        uploads.upload_append(
            actor=self.person, upload=upload, offset=0, read=io.BytesIO(archive).read, count=len(archive), checksum=None
        )
        version.refresh_from_db()
        return lifecycle.version_transition(actor=self.person, version=version, event="submit")


def write_directly(files: dict[str, bytes], round_number: int) -> None:
    from sciport.core import storage

    for path, data in files.items():
        storage.write(f"bench-direct/{round_number}/{path}", [data], size_hint=len(data))


def check(version: Any, files: dict[str, bytes]) -> None:
    from sciport.core import storage

    if version.state != "published" or version.file_count != len(files):
        raise RuntimeError(f"version is {version.state} with {version.file_count} files, not published with {len(files)}")
    sample = version.files.order_by("?")[:20]
    for file in sample:
        if b"".join(storage.open_chunks(file.blob_name)) != files[file.path]:
            raise RuntimeError(f"{file.path} does not read back as written")


def run(args: argparse.Namespace) -> int:
    var_dir = fresh_var_dir("sciport-bench-publish-")
    os.environ.setdefault("SCIPORT_LOG_LEVEL", "WARNING")
    rounds: list[Round] = []
    try:
        vendor = setup_django(cache_table=False)
        files = make_files(args.files)
        archive = zipped(files)
        depositor = Depositor()
        for number in range(args.rounds):
            order = ["sciport", "direct"] if number % 2 == 0 else ["direct", "sciport"]
            for way in order:
                started = time.perf_counter()
                if way == "sciport":
                    version = depositor.publish(archive)
                else:
                    write_directly(files, number)
                seconds = time.perf_counter() - started
                if way == "sciport":
                    check(version, files)
                result = Round(way, round(seconds, 2), round(len(files) / seconds, 1))
                print(f"  round {number + 1} {way:8} {result.seconds:8.2f} s  {result.files_per_second:9.1f} files/s", flush=True)
                rounds.append(result)
    except RuntimeError as error:
        print(f"publish_10k: INVALID: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    best = {way: min((r for r in rounds if r.way == way), key=lambda r: r.seconds) for way in ("sciport", "direct")}
    factor = best["sciport"].seconds / best["direct"].seconds
    summary = {
        "benchmark": "publish_10k",
        "output": str(args.output),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "goal": f"sciport / direct <= {GOAL_FACTOR}",
        "factor_sciport_over_direct": round(factor, 3),
        "goal_met": factor <= GOAL_FACTOR,
        "files": args.files,
        "bytes": sum(map(len, files.values())),
        "zip_bytes": len(archive),
        "selection": f"best of {args.rounds} alternating rounds",
        "best": {way: asdict(result) for way, result in best.items()},
        "rounds": [asdict(result) for result in rounds],
        "machine": machine_facts(vendor, storage="local disk"),
    }
    write_results(args.output, summary)
    verdict = "meets" if summary["goal_met"] else "MISSES"
    print(
        f"\npublish_10k — {args.files:,} files ({summary['bytes'] / 1e6:.1f} MB), {vendor}: "
        f"sciport {best['sciport'].seconds:.2f} s, direct writes {best['direct'].seconds:.2f} s, "
        f"factor {factor:.2f} ({verdict} the goal of {GOAL_FACTOR:.0f}×)\nresults: {args.output}"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
