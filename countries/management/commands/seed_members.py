import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from countries.models import Agency, ApiCredential
from countries.seed import seed_members
from countries.services import credential_create

DEMO_CREDENTIAL_NAME = "demo"
DEMO_PEOPLE_FILE = "demo-people.json"


class Command(BaseCommand):
    help = (
        "Seed the six members and the secretariat (idempotent). With --demo-tokens (embedded "
        "mode only) also a demo reader, a fresh demo token per agency, printed and saved "
        "to var/demo-tokens.json, and a person per agency who signs in to the web pages "
        "(demo_<agency>), printed and saved with their passwords to var/demo-people.json."
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
        people = demo_people_ensure(settings.VAR_DIR / DEMO_PEOPLE_FILE)
        self.stdout.write(
            f"demo people to sign in as at /accounts/login/ (also in var/{DEMO_PEOPLE_FILE}):"
        )
        for agency_id, person in people.items():
            self.stdout.write(f"  {agency_id:<12} {person['username']:<20} {person['password']}")


def demo_people_ensure(path: Path) -> dict[str, dict[str, str]]:
    """A person per agency (`demo_<agency id>`, of that agency, so of its role), saved with their
    passwords to `path`. A person the file already lists keeps their password across restarts
    (signed-in browsers stay signed in); any other gets a new one. The secretariat's person may
    also use /admin/."""
    try:
        known = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        known = {}
    user_model = get_user_model()
    people = {}
    for agency in Agency.objects.order_by("id"):
        username = f"demo_{agency.pk.lower()}"
        user, created = user_model.objects.get_or_create(username=username)
        password = known.get(agency.pk, {}).get("password", "")
        if created or not password or known[agency.pk].get("username") != username:
            password = secrets.token_urlsafe(12)
            user.set_password(password)
        user.agency = agency
        staff = agency.role == Agency.Role.SECRETARIAT
        user.is_staff = user.is_superuser = staff
        user.is_active = True
        user.full_clean()
        user.save()
        people[agency.pk] = {"username": username, "password": password, "role": agency.role}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)  # readable by this user only before the passwords are in it
    path.chmod(0o600)
    path.write_text(json.dumps(people, indent=2))
    return people
