"""docker-compose.yml and the Dockerfile as an operator needs them: one way in (the proxy),
a healthcheck and a memory limit on every long-running service, pinned images, one image name
for the services built from the Dockerfile, and README's table naming every setting."""

from __future__ import annotations

import re

import yaml

from tests.workers import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP = ("migrate", "web", "worker", "adjustment", "webhooks", "beat")
PINNED = re.compile(r"(@sha256:[0-9a-f]{64}$)|(:\d+\.\d+(\.\d+)?(-[a-z0-9.-]+)?$)")


def test_only_the_proxy_publishes_a_port():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}
    assert SERVICES["web"].get("expose") == ["8000"]


def test_every_long_running_service_has_a_healthcheck_and_a_memory_limit():
    for name, service in SERVICES.items():
        assert service.get("mem_limit"), f"{name} has no mem_limit"
        if name != "migrate":
            assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_images_are_pinned_by_version_or_digest():
    for name, service in SERVICES.items():
        image = service["image"]
        if name in APP:
            assert image == "ipi-exchange:${IPI_VERSION:-local}"
            assert service["build"]["context"] == "."
        else:
            assert PINNED.search(image), f"{name}: {image} is a floating tag"
    default_base = re.search(r"^ARG BASE_IMAGE=(\S+)$", (ROOT / "Dockerfile").read_text(), re.M)
    assert default_base and PINNED.search(default_base.group(1))
    assert default_base.group(1).startswith("python:3.11.")


def test_the_comment_never_asks_for_what_the_migrate_service_does():
    text = (ROOT / "docker-compose.yml").read_text()
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    assert "manage.py seed_members" not in comments
    assert "seed_members" in SERVICES["migrate"]["command"]


def settings_variables() -> set[str]:
    text = (ROOT / "ipi_exchange" / "settings.py").read_text()
    return set(re.findall(r"env_(?:str|bool|int|list|secret|choice)\(\s*\"([A-Z0-9_]+)\"", text))


def readme_table_variables() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z0-9_]+)`", first_cell))
    return names


def test_the_readme_table_names_every_variable_the_settings_read():
    variables = settings_variables()
    assert {"DB_CONN_MAX_AGE", "IPI_PUBLISH_SCAN_SECONDS", "SECRET_KEY"} <= variables
    missing = variables - readme_table_variables()
    assert not missing, f"README's table of environment variables lacks {sorted(missing)}"
