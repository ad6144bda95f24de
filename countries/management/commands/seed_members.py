import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from countries.models import Agency, ApiCredential
from countries.seed import seed_members
from countries.services import credential_create

DEMO_CREDENTIAL_NAME = "demo"


class Command(BaseCommand):
    help = (
        "Seed the six members and the secretariat (idempotent). With --demo-tokens (embedded "
        "mode only) also a demo reader, and a fresh demo token per agency, printed and saved "
        "to var/demo-tokens.json."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--demo-tokens", action="store_true")

    @transaction.atomic
    def handle(self, *args, demo_tokens: bool, **options) -> None:
        seed_members(with_demo_reader=demo_tokens)
        self.stdout.write(f"members seeded: {Agency.objects.count()} agencies")
        if not demo_tokens:
            return
        if settings.PRODUCTION:
            self.stderr.write("refusing to create demo tokens in production")
            return
        # Each start replaces the previous demo tokens, so old ones never linger.
        ApiCredential.objects.filter(name=DEMO_CREDENTIAL_NAME).delete()
        tokens = {}
        for agency in Agency.objects.order_by("id"):
            scopes = ["read"] if agency.role == Agency.Role.READER else ["submit", "read", "admin"]
            _, token = credential_create(agency=agency, name=DEMO_CREDENTIAL_NAME, scopes=scopes)
            tokens[agency.id] = token
        path = settings.VAR_DIR / "demo-tokens.json"
        path.write_text(json.dumps(tokens, indent=2))
        path.chmod(0o600)
        self.stdout.write("demo tokens (also in var/demo-tokens.json):")
        for agency_id, token in tokens.items():
            self.stdout.write(f"  {agency_id:<12} {token}")
