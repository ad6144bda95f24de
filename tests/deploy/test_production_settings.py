"""The production path's settings: the web healthcheck passes under production settings, proxy
headers count only from the proxy, placeholder secrets are refused, and the database URL built
from its parts survives any password."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import dj_database_url
import pytest
import yaml
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from countries.throttling import client_ip
from ipi_exchange import probe
from ipi_exchange.env import postgres_url
from ipi_exchange.health import HEARTBEAT_KEY, _redis, record_heartbeat
from ipi_exchange.http.proxies import TrustedProxyMiddleware
from tests.test_settings_env import PRODUCTION_ENV, _manage
from tests.workers import ROOT, wait_until

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def production_environment(**extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return {
        **environment,
        **PRODUCTION_ENV,
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        **extra,
    }


@pytest.fixture(scope="module")
def production_gunicorn(tmp_path_factory):
    """gunicorn as the image starts it, with production settings, on a free port."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "ipi_exchange/gunicorn.conf.py",
            "ipi_exchange.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=production_environment(),
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )

    def listening() -> bool:
        with socket.socket() as client:
            return client.connect_ex(("127.0.0.1", port)) == 0

    try:
        assert wait_until(listening, timeout=60), log_path.read_text()[-3000:]
        yield port, log_path
    finally:
        process.terminate()
        process.wait(timeout=20)


def healthcheck(service: str) -> list[str]:
    test = COMPOSE["services"][service]["healthcheck"]["test"]
    assert test[0] == "CMD"
    return test[1:]


def test_the_web_healthcheck_passes_under_production_settings(production_gunicorn):
    port, log_path = production_gunicorn
    command = healthcheck("web")
    assert command[0] == "python"
    environment = production_environment(PORT=str(port))
    result = subprocess.run(
        [sys.executable, *command[1:]],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    time.sleep(0.2)
    assert "DisallowedHost" not in log_path.read_text()
    # The command it replaces asked for Host localhost:PORT: refused under these settings.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://localhost:{port}/healthz", timeout=5)
    assert refused.value.code == 400


def test_the_probe_sends_a_host_that_allowed_hosts_accepts():
    assert probe.probe_host({"ALLOWED_HOSTS": "ipi.example.org,other.org"}) == "ipi.example.org"
    assert probe.probe_host({"ALLOWED_HOSTS": ".example.org"}) == "example.org"
    assert probe.probe_host({"ALLOWED_HOSTS": "*"}) == "localhost"
    assert probe.probe_host({}) == "localhost"


def test_the_worker_healthcheck_reads_this_containers_heartbeat():
    assert healthcheck("worker") == ["python", "-m", "ipi_exchange.probe", "worker", "main"]
    assert healthcheck("webhooks")[-2:] == ["worker", "webhooks"]
    assert healthcheck("adjustment")[-2:] == ["worker", "adjustment"]
    assert probe.worker_name("adjustment", "box") == "adjustment@box"
    name = probe.worker_name("webhooks")
    assert name == f"webhooks@{socket.gethostname()}"
    assert probe.worker_name("main", "box") == "celery@box"
    try:
        _redis().hdel(HEARTBEAT_KEY, name)
        assert "no fresh heartbeat from webhooks@" in (probe.worker("webhooks") or "")
        record_heartbeat(name)
        assert probe.worker("webhooks") is None
    finally:
        _redis().hdel(HEARTBEAT_KEY, name)


def test_the_beat_healthcheck_reads_the_age_of_its_schedule(tmp_path):
    command = healthcheck("beat")
    schedule = command[-1]
    assert f"--schedule {schedule}" in COMPOSE["services"]["beat"]["command"]
    path = tmp_path / "celerybeat-schedule"
    assert "no schedule file" in (probe.beat(str(path)) or "")
    path.write_bytes(b"x")
    assert probe.beat(str(path)) is None
    later = time.time() + probe.BEAT_MAX_AGE_SECONDS + 10
    assert "not saved for" in (probe.beat(str(path), now=later) or "")


# --- Proxy headers only from the proxy -----------------------------------------------------


def forwarded_request(remote: str):
    return RequestFactory().get(
        "/api/v1/",
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
        HTTP_X_FORWARDED_PROTO="https",
    )


@override_settings(
    IPI_TRUSTED_PROXIES=["172.30.91.2"],
    REST_FRAMEWORK={**settings.REST_FRAMEWORK, "NUM_PROXIES": 1},
)
def test_proxy_headers_from_an_untrusted_address_are_ignored():
    seen = {}

    def view(request):
        seen["ip"] = client_ip(request)
        seen["proto"] = request.META.get("HTTP_X_FORWARDED_PROTO")
        return HttpResponse()

    middleware = TrustedProxyMiddleware(view)
    middleware(forwarded_request("172.30.91.2"))
    assert seen == {"ip": "203.0.113.7", "proto": "https"}
    # Another container on the network, or a client reaching gunicorn directly.
    middleware(forwarded_request("172.30.91.3"))
    assert seen == {"ip": "172.30.91.3", "proto": None}
    middleware(forwarded_request("::ffff:172.30.91.2"))
    assert seen["ip"] == "203.0.113.7"


@override_settings(
    IPI_TRUSTED_PROXIES=["172.30.91.0/30"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
)
def test_only_the_proxy_can_say_a_request_came_over_tls():
    client = Client()  # loads the middleware with the settings above
    trusted = client.get("/api/v1/", REMOTE_ADDR="172.30.91.2", HTTP_X_FORWARDED_PROTO="https")
    assert trusted.status_code == 401  # over TLS: on to authentication
    untrusted = client.get("/api/v1/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="https")
    assert untrusted.status_code == 301  # plain HTTP, whatever the header says
    assert untrusted["Location"].startswith("https://")


def test_compose_trusts_exactly_the_proxys_address():
    services = COMPOSE["services"]
    proxy_address = services["proxy"]["networks"]["edge"]["ipv4_address"]
    assert services["web"]["environment"]["IPI_TRUSTED_PROXIES"] == proxy_address
    assert set(services["web"]["networks"]) == {"backend", "edge"}
    # No other container can be given the proxy's address: it is outside the dynamic range.
    edge = COMPOSE["networks"]["edge"]["ipam"]["config"][0]

    def default(value: str) -> str:
        return value.split(":-", 1)[1].rstrip("}") if value.startswith("${") else value

    address = ipaddress.ip_address(default(proxy_address))
    assert address in ipaddress.ip_network(default(edge["subnet"]))
    assert address not in ipaddress.ip_network(default(edge["ip_range"]))
    on_edge = {name for name, s in services.items() if "edge" in (s.get("networks") or [])}
    assert on_edge == {"web", "proxy"}


def test_the_trusted_proxies_setting_refuses_nonsense():
    result = _manage(["check"], IPI_TRUSTED_PROXIES="the-proxy")
    assert result.returncode != 0
    assert "IPI_TRUSTED_PROXIES: 'the-proxy' is not an address or a network" in result.stderr


# --- Secrets ---------------------------------------------------------------------------------

ENV_EXAMPLE_PLACEHOLDER = "change-me-to-50-or-more-random-characters-0000000000000000"


@pytest.mark.parametrize(
    "key",
    [
        ENV_EXAMPLE_PLACEHOLDER,
        "django-insecure-" + "a1b2c3d4e5" * 5,
        "x" * 60,
    ],
)
def test_production_refuses_a_placeholder_secret_key(key):
    result = _manage(["check"], **{**PRODUCTION_ENV, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY is a placeholder" in result.stderr


def test_no_secret_is_in_the_env_file_or_in_the_containers_environment():
    example = (ROOT / ".env.example").read_text()
    for name in ("SECRET_KEY=", "POSTGRES_PASSWORD=", "DATABASE_URL="):
        assert name not in example
    for name, service in COMPOSE["services"].items():
        environment = service.get("environment") or {}
        assert "SECRET_KEY" not in environment, name
        assert "POSTGRES_PASSWORD" not in environment, name
        assert "DATABASE_URL" not in environment, name
    app = COMPOSE["services"]["web"]
    assert app["environment"]["SECRET_KEY_FILE"] == "/run/secrets/secret_key"
    assert app["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    postgres = COMPOSE["services"]["postgres"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"


@pytest.mark.parametrize("password", ["p@ss/w:rd", "a%2Fb#c?d", "100% sure & [x]", "plain"])
def test_the_database_url_built_from_its_parts_keeps_any_password(password):
    url = postgres_url(user="ipi", password=password, host="postgres", port=5432, name="ipi_db")
    parsed = dj_database_url.parse(url)
    assert parsed["PASSWORD"] == password
    assert (parsed["USER"], parsed["HOST"], parsed["PORT"], parsed["NAME"]) == (
        "ipi",
        "postgres",
        5432,
        "ipi_db",
    )
    assert postgres_url(user="u", password="p", host="::1", port=1, name="d").startswith(
        "postgresql://u:p@[::1]:1/"
    )


def _database_setting(**env: str) -> subprocess.CompletedProcess:
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(repr((d['USER'], d['PASSWORD'], d['HOST'], d['PORT'], d['NAME'])))"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    environment |= {"DJANGO_SETTINGS_MODULE": "ipi_exchange.settings", **PRODUCTION_ENV, **env}
    environment.pop("DATABASE_URL", None)
    environment["REDIS_URL"] = "redis://redis:6379/0"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_read_the_password_from_its_secret_file(tmp_path):
    secret = tmp_path / "postgres_password"
    secret.write_text("p@ss/w:rd%#\n")
    parts = {"POSTGRES_HOST": "postgres", "POSTGRES_USER": "ipi", "POSTGRES_DB": "ipi_exchange"}
    result = _database_setting(**parts, POSTGRES_PASSWORD_FILE=str(secret))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(("ipi", "p@ss/w:rd%#", "postgres", 5432, "ipi_exchange"))
    missing = _database_setting(**parts)
    assert missing.returncode != 0
    assert "POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) is required" in missing.stderr
