#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Without DATABASE_URL / REDIS_URL it starts (or attaches to) the embedded PostgreSQL and Redis
under var/ and names them in those variables before Django reads the settings; they stop when
the last process using them exits. Run it inside the virtualenv: `python3 dev.py manage ...`.
"""

import os
import sys

# Settings for tools that read the code and never connect: no server is started for them.
OFFLINE_SETTINGS = "ipi_exchange.settings_offline"


def settings_module(argv: list[str]) -> str:
    """The settings module Django will use: --settings (as Django reads it), else the variable."""
    for index, arg in enumerate(argv):
        if arg.startswith("--settings="):
            return arg.partition("=")[2]
        if arg == "--settings" and index + 1 < len(argv):
            return argv[index + 1]
    return os.environ.get("DJANGO_SETTINGS_MODULE", "ipi_exchange.settings")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipi_exchange.settings")
    if settings_module(sys.argv[1:]) != OFFLINE_SETTINGS:
        from ipi_exchange import embedded

        embedded.use_servers_from_environment()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
