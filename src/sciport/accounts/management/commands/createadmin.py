"""``sciport createadmin``: a platform administrator with a confirmed e-mail address."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sciport.accounts.services import platform_admin_create
from sciport.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a platform administrator (staff and superuser) whose e-mail is already confirmed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", help="Asked for when omitted.")

    def handle(self, *args: Any, email: str, password: str | None, **options: Any) -> None:
        password = password or getpass.getpass("Password: ")
        try:
            user = platform_admin_create(email=email, password=password)
        except DomainError as error:
            raise CommandError("; ".join([str(error)] + [f"{e.field}: {e.message}" for e in error.errors])) from None
        self.stdout.write(f"platform administrator {user.email} ({user.public_id}) created")
