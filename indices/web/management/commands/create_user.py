"""Create (or update) a person who signs in to the web pages, in an agency:

    python manage.py create_user alice TH_OIE --password-file secret.txt
    python manage.py create_user bob RESEARCH_PIPE            # asks for the password

A person inherits the agency's role (reporter, secretariat or reader).
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from countries.models import Agency


class Command(BaseCommand):
    help = "Create or update a web user belonging to an agency."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("agency", help="agency id, e.g. TH_OIE")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-file", help="read the password from this file (first line)")
        parser.add_argument(
            "--staff", action="store_true", help="may also sign in to /admin/ (secretariat)"
        )

    def handle(self, *args, **options) -> None:
        try:
            agency = Agency.objects.get(pk=options["agency"])
        except Agency.DoesNotExist:
            raise CommandError(
                f"No agency {options['agency']!r}. Create it first, e.g. python manage.py "
                f"create_agency {options['agency']} --name NAME --role reader (or reporter "
                "--country CODE, or secretariat)."
            ) from None
        password = self._password(options.get("password_file"))
        user_model = get_user_model()
        with transaction.atomic():
            user, created = user_model.objects.get_or_create(username=options["username"])
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            user.agency = agency
            user.email = options["email"] or user.email
            user.is_staff = options["staff"] or user.is_staff
            user.set_password(password)
            user.full_clean()
            user.save()
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {user.username} in {agency.pk} ({agency.get_role_display()}).")

    def _password(self, path: str | None) -> str:
        if path:
            return Path(path).read_text(encoding="utf-8").splitlines()[0]
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return first
