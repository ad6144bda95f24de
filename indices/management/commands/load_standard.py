from django.core.management.base import BaseCommand

from indices.services.standard import standard_load
from indices.standard import CURRENT_VERSION


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
