"""``sciport worker``: run background tasks from the database queue."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sciport.core.tasks import requeue_stale, schedule_daily


class Command(BaseCommand):
    help = "Run background tasks; tasks left running by a vanished worker are queued again first, daily tasks kept queued."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls of an empty queue.")
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")

    def handle(self, *args: Any, interval: float, batch: bool, **options: Any) -> None:
        requeued = requeue_stale()
        if requeued:
            self.stdout.write(f"queued again {requeued} task(s) whose worker vanished")
        if not batch:
            schedule_daily()  # a batch run (tests, cron) only works off what is queued
        extra = ["--batch", "--no-startup-delay"] if batch else []
        call_command("db_worker", "--interval", str(interval), "--queue-name", "*", *extra)
