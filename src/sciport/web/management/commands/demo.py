"""``sciport demo``: load the bilingual demo data of every part (safe to run again)."""

from typing import Any

from django.core.management.base import BaseCommand

from sciport.accounts import demo as accounts_demo
from sciport.datasets import demo as datasets_demo


class Command(BaseCommand):
    help = "Create demo organisations, people and content; running it again adds only what is missing."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = accounts_demo.load()
        self.stdout.write(f"Demo logins (password for all: {accounts_demo.DEMO_PASSWORD}):")
        for email, does in logins:
            self.stdout.write(f"  {email:<28} {does}")
        self.stdout.write(datasets_demo.load())
