from django.core.management.base import BaseCommand, CommandError

from countries.models import Agency, Country
from countries.services import agency_create
from ipi_exchange.errors import ApplicationError


class Command(BaseCommand):
    help = "Create an agency (reporter, secretariat or reader)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("agency_id", help="e.g. KH_NIS")
        parser.add_argument("--name", required=True)
        parser.add_argument("--role", choices=Agency.Role.values, required=True)
        parser.add_argument("--country", help="country code; required for a reporter")

    def handle(
        self, *args, agency_id: str, name: str, role: str, country: str | None, **options
    ) -> None:
        owner_country = None
        if country:
            owner_country = Country.objects.filter(pk=country).first()
            if owner_country is None:
                raise CommandError(f"No country {country!r}; create it first (API or admin).")
        try:
            agency = agency_create(agency_id=agency_id, name=name, role=role, country=owner_country)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"created agency {agency.id} ({agency.role})")
