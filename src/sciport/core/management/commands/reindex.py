"""``sciport reindex [part ...]``: rebuild the search index from the database."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sciport.core import search


class Command(BaseCommand):
    help = "Rebuild the search index from the database: every registered part (e.g. directory), or the ones named."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("parts", nargs="*", help="Parts to rebuild; all when none is named.")

    def handle(self, *args: Any, **options: Any) -> None:
        rebuilds = search.registered_rebuilds()
        names = options["parts"] or list(rebuilds)
        unknown = sorted(set(names) - set(rebuilds))
        if unknown:
            raise CommandError(f"no search part named {', '.join(unknown)}; known: {', '.join(rebuilds) or 'none'}")
        for name in names:
            # One transaction per part: searches see the old index until the new one is complete.
            with transaction.atomic():
                count = rebuilds[name]()
            self.stdout.write(f"{name}: {count} documents indexed")
        search.optimise()
