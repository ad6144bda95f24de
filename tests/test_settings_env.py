"""Settings come from the environment and a bad value fails loudly at start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ipi_exchange import env
from ipi_exchange.env import celery_url

ROOT = Path(__file__).resolve().parent.parent


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a boolean"):
        env.env_bool("X_FLAG")


def test_env_int_refuses_nonsense_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("X_INT", "12MB")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env.env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "-1")
    with pytest.raises(ImproperlyConfigured, match="below the minimum"):
        env.env_int("X_INT", 1, minimum=0)


def test_env_secret_reads_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_secret("X_SECRET") == "s3cret"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env.env_secret("X_SECRET")


def test_celery_url_for_unix_socket_redis():
    assert celery_url("unix:///v/redis.sock?db=3") == "redis+socket:///v/redis.sock?virtual_host=3"
    assert celery_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def _manage(args, **overrides):
    from django.conf import settings

    # The servers in use now, so the subprocess does not start embedded ones of its own.
    servers = {"DATABASE_URL": settings.DATABASE_URL, "REDIS_URL": settings.REDIS_URL}
    environment = {**os.environ, **servers, **overrides}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "IPI_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-production-like-secret-key-for-the-check-0123456789",
    "ALLOWED_HOSTS": "ipi.example.org",
    "DEBUG": "0",
}


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage(["check"], **{**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) is required in production" in result.stderr


def test_a_bad_value_fails_at_start():
    result = _manage(["check"], IPI_MAX_ROWS="lots")
    assert result.returncode != 0
    assert "IPI_MAX_ROWS='lots' is not a whole number" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    result = _manage(
        ["spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml")]
    )
    assert result.returncode == 0, result.stderr


def _settings_value(name: str, **env: str) -> str:
    result = _manage(
        ["shell", "-c", f"from django.conf import settings; print(settings.{name})"], **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after "N objects imported automatically"


def test_behind_the_tls_proxy_the_client_address_is_its_x_forwarded_for_entry():
    # Otherwise every client has the proxy's address, and one client's failed tokens would
    # lock out all of them (countries/throttling.py counts failures per address).
    assert _settings_value('REST_FRAMEWORK["NUM_PROXIES"]', **PRODUCTION_ENV) == "1"
    assert (
        _settings_value('REST_FRAMEWORK["NUM_PROXIES"]', **PRODUCTION_ENV, IPI_NUM_PROXIES="2")
        == "2"
    )
    assert _settings_value('REST_FRAMEWORK["NUM_PROXIES"]', IPI_ENV="development") == "0"


def _test_database_name(**env: str) -> str:
    code = "from django.conf import settings; print(settings.DATABASES['default']['TEST']['NAME'])"
    environment = {k: v for k, v in os.environ.items() if k != "IPI_TEST_DB_NAME"}
    environment |= {"DJANGO_SETTINGS_MODULE": "ipi_exchange.settings_test", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_test_database_is_named_after_the_database_in_database_url():
    # Two checkouts testing on one server, each with a database of its own, never collide.
    assert (
        _test_database_name(DATABASE_URL="postgresql://u@db:5432/checkout_a") == "test_checkout_a"
    )
    assert (
        _test_database_name(DATABASE_URL="postgresql://u@db:5432/checkout_b") == "test_checkout_b"
    )
    assert (
        _test_database_name(DATABASE_URL="postgresql://u@db/checkout_a", IPI_TEST_DB_NAME="mine")
        == "mine"
    )


def _replica_settings(**env: str) -> list:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "{a: [d['HOST'], d['PORT'], d['NAME'], d['TEST']] for a, d in s.DATABASES.items()"
        " if a != 'default'}, s.DATABASE_ROUTERS,"
        " [m for m in s.MIDDLEWARE if 'replicas' in m]]))"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URLS"}
    environment |= {"DJANGO_SETTINGS_MODULE": "ipi_exchange.settings_test", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_each_replica_url_is_a_database_alias_read_through_the_router():
    urls = "postgresql://ipi:pw@replica-1:5432/ipi_exchange, postgresql://ipi:pw@replica-2/ipi_exchange"
    aliases, routers, middleware = _replica_settings(DATABASE_REPLICA_URLS=urls)
    assert aliases == {
        "replica_1": ["replica-1", 5432, "ipi_exchange", {"MIRROR": "default"}],
        "replica_2": ["replica-2", "", "ipi_exchange", {"MIRROR": "default"}],
    }
    assert routers == ["ipi_exchange.replicas.ReplicaRouter"]
    assert middleware == ["ipi_exchange.replicas.ReplicaReadsMiddleware"]
    # Unset or empty: today's settings exactly, no alias, router nor middleware.
    assert _replica_settings() == _replica_settings(DATABASE_REPLICA_URLS=" ") == [{}, [], []]


def test_a_replica_url_that_is_not_postgresql_stops_the_service():
    result = _manage(["check"], DATABASE_REPLICA_URLS="mysql://replica/ipi")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URLS: entry 1 must be a postgresql:// URL" in result.stderr


@pytest.mark.django_db
def test_connections_compile_no_statement_just_in_time():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
