"""Response shapes of the usage statistics (COUNTER metrics by month)."""

from typing import Any

from ninja import Schema


class UsageCounts(Schema):
    total_investigations: int
    unique_investigations: int
    total_requests: int
    unique_requests: int


class UsageMonthOut(UsageCounts):
    month: str


class UsageOut(Schema):
    id: str
    months: list[UsageMonthOut]
    totals: UsageCounts


DatasetReport = dict[str, Any]
