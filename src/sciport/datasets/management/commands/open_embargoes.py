"""``sciport open_embargoes``: record ended embargoes as open now, and keep the daily run queued."""

from typing import Any

from django.core.management.base import BaseCommand

from sciport.datasets.services.access import embargo_open_due
from sciport.datasets.tasks import schedule_embargo_opening


class Command(BaseCommand):
    help = "Record every ended embargo as open, and queue the daily run that keeps doing so."

    def handle(self, *args: Any, **options: Any) -> None:
        opened = embargo_open_due()
        queued = schedule_embargo_opening()
        self.stdout.write(f"opened {opened} embargoed version(s); daily run {'queued' if queued else 'already queued'}")
