"""Robots and machines, recognised by user agent from the list shipped in ``counter_robots.txt``.

The list is a data file in the repository (never fetched at run time), compiled once into one
regular expression.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

ROBOTS_FILE = Path(__file__).with_name("counter_robots.txt")


def patterns(text: str) -> list[str]:
    """The patterns of a robots file: every line that is neither blank nor a comment."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@cache
def _matcher() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns(ROBOTS_FILE.read_text("utf-8"))), re.IGNORECASE)


def is_robot(user_agent: str) -> bool:
    """Whether COUNTER leaves this user agent out; an absent user agent counts as a machine."""
    return _matcher().search(user_agent.strip()) is not None
