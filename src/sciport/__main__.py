"""``sciport``: one entry point for every operator command (``sciport help`` lists them)."""

from __future__ import annotations

import os
import sys

from sciport.config import ConfigError


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciport.settings")
    command = args[0].replace("-", "_") if args else "help"
    try:
        import django

        django.setup()
    except ConfigError as error:
        sys.stderr.write(f"sciport: configuration error: {error}\n")
        return 2
    from django.core.management import execute_from_command_line

    execute_from_command_line(["sciport", command, *args[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
