"""``sciport fixity [--dataset ds_…]``: check stored content now; exits 1 when anything is damaged, missing or unreadable."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sciport.datasets.models import Dataset, FixityResult, FixityRun, FixityStatus
from sciport.datasets.services.fixity import fixity_run


class Command(BaseCommand):
    help = "Re-read every stored dataset file (or one dataset's) and compare it with its recorded SHA-256 and size."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", default="", help="Check only this dataset (its ds_… id).")

    def handle(self, *args: Any, **options: Any) -> None:
        dataset = None
        if options["dataset"]:
            dataset = Dataset.objects.filter(public_id=options["dataset"]).first()
            if dataset is None:
                raise CommandError(f"no dataset {options['dataset']}")
        run = fixity_run(trigger=FixityRun.Trigger.MANUAL, dataset=dataset)
        self.stdout.write(
            f"fixity run {run.public_id}: {run.blobs_checked} object(s), {run.bytes_checked} bytes checked, {run.problems} problem(s)"
        )
        for result in FixityResult.objects.filter(run=run).exclude(status=FixityStatus.OK):
            self.stdout.write(f"  {result.status}: {result.blob_name} {result.detail}".rstrip())
        if run.problems:
            raise CommandError(f"{run.problems} problem(s) found", returncode=1)
