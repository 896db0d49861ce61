"""``python -m bench``: run every benchmark module in ``bench/`` in turn, each in its own interpreter.

A benchmark module is any ``bench/<name>.py`` (not starting with ``_``) that runs when
executed as ``python -m bench.<name>`` and exits non-zero when its result is invalid.
``python -m bench NAME ...`` runs only the named ones.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> list[str]:
    return sorted(path.stem for path in BENCH_DIR.glob("*.py") if not path.stem.startswith("_"))


def main(argv: list[str]) -> int:
    available = discover()
    wanted = argv or available
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        print(f"bench: no such benchmark: {', '.join(unknown)} (available: {', '.join(available)})", file=sys.stderr)
        return 2
    failed = []
    for name in wanted:
        print(f"== bench.{name}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}"], cwd=BENCH_DIR.parent)
        print(f"== bench.{name}: exit {code} after {time.monotonic() - started:.1f} s", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"bench: failed or invalid: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
