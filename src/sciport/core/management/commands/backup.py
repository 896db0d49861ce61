"""``sciport backup <folder>``: database dump, every stored file and a manifest of checksums, restorable on SQLite or PostgreSQL."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sciport.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a backup (database, stored files, manifest of checksums) into a new or empty folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="Folder to create; must not exist or be empty.")

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            report = backup_create(folder=folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"backup written to {report.folder}: {report.database_rows} database rows, "
            f"{report.files} files ({report.file_bytes} bytes)"
        )
