"""Embedded mode: `seed_members --demo-tokens` (run by `dev.py serve`) also makes a person per
agency who signs in to the web pages, with the passwords printed and saved to
var/demo-people.json."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from countries.models import Agency

pytestmark = [pytest.mark.django_db]


def seed(settings, tmp_path) -> tuple[dict, str]:
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed_members", "--demo-tokens", stdout=out)
    return json.loads((tmp_path / "demo-people.json").read_text()), out.getvalue()


def test_each_agency_has_a_person_who_signs_in_to_the_web_pages(settings, tmp_path):
    people, printed = seed(settings, tmp_path)
    assert set(people) == set(Agency.objects.values_list("pk", flat=True))
    assert (tmp_path / "demo-people.json").stat().st_mode & 0o077 == 0
    for agency_id, person in people.items():
        assert f"{person['username']:<20} {person['password']}" in printed
        client = Client()
        assert client.login(username=person["username"], password=person["password"]), agency_id
        assert client.get("/").status_code == 200
    reporter = Client()
    reporter.login(username=people["TH_OIE"]["username"], password=people["TH_OIE"]["password"])
    page = reporter.get("/submissions/")
    assert page.status_code == 200
    secretariat = Client()
    secretariat.login(
        username=people["MKG_SEC"]["username"], password=people["MKG_SEC"]["password"]
    )
    assert secretariat.get("/audit/").status_code == 200
    assert secretariat.get("/admin/").status_code == 200


def test_a_restart_keeps_the_passwords(settings, tmp_path):
    first, _ = seed(settings, tmp_path)
    again, _ = seed(settings, tmp_path)
    assert again == first
    person = again["VN_NSO"]
    assert Client().login(username=person["username"], password=person["password"])


def test_without_demo_tokens_no_person_is_made(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("seed_members", stdout=StringIO())
    assert not (tmp_path / "demo-people.json").exists()
