"""``sciport restore <folder>``: verify a backup's checksums, then load it into an empty database and storage."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sciport.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `sciport backup` into a freshly migrated, empty database and an empty storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="Folder written by `sciport backup`.")

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            report = backup_restore(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored from {report.folder}: {report.database_rows} database rows, "
            f"{report.files} files ({report.file_bytes} bytes); people must sign in again"
        )
        if report.search_reindexed:
            self.stdout.write("search index rebuilt")
