from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from countries.models import Agency
from countries.services import credential_create
from ipi_exchange.errors import ApplicationError


class Command(BaseCommand):
    help = "Create an API credential for an agency and print its token (shown this once only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("agency", help="agency id, e.g. TH_OIE")
        parser.add_argument("--name", required=True, help="what the token is for, e.g. 'nightly'")
        parser.add_argument("--scopes", default="read", help="comma-separated: submit,read,admin")
        parser.add_argument("--expires-at", help="ISO 8601 instant, e.g. 2027-01-01T00:00:00Z")

    def handle(
        self, *args, agency: str, name: str, scopes: str, expires_at: str | None, **options
    ) -> None:
        try:
            owner = Agency.objects.get(pk=agency)
        except Agency.DoesNotExist:
            raise CommandError(f"No agency {agency!r}.") from None
        expiry = parse_datetime(expires_at) if expires_at else None
        if expires_at and expiry is None:
            raise CommandError(f"--expires-at {expires_at!r} is not an ISO 8601 instant.")
        try:
            credential, token = credential_create(
                agency=owner,
                name=name,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                expires_at=expiry,
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(token)
        self.stderr.write(f"created credential {credential.pk} ({credential.prefix}…) for {agency}")
