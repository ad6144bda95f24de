from django.core.management.base import BaseCommand

from countries.standard import CURRENT_VERSION
from countries.standard.services import standard_load


class Command(BaseCommand):
    help = "Load (or refresh) the standard definition's codelists and thresholds; idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--standard-version", dest="standard_version", default=CURRENT_VERSION)

    def handle(self, *args, standard_version: str, **options) -> None:
        counts = standard_load(version=standard_version)
        self.stdout.write(
            f"standard v{standard_version}: {counts['codelists']} codelists, "
            f"{counts['codes']} codes loaded"
        )
