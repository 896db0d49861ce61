"""``sciport check-audit``: prove the audit chain is intact or name the first broken event."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sciport.core.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.first_broken is not None:
            event = report.first_broken
            raise CommandError(
                f"audit chain broken at event #{event.sequence} ({event.action} {event.object_type}:{event.object_id}, "
                f"{event.created_at.isoformat()}): {report.reason}"
            )
        self.stdout.write(f"audit chain intact: {report.checked} events")
