"""Environment helpers that fail loudly: a bad value stops the service at start, never later."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no"
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum {minimum}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read NAME, or the file named by NAME_FILE (docker secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE={file_name!r} cannot be read: {error}"
            ) from None
    return env_str(name, default)


def env_networks(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of IP addresses or networks (CIDR), each checked at start."""
    entries = env_list(name, default)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is not an address or a network"
            ) from None
    return entries


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


# --- Redis URLs (pure functions: usable before settings are loaded) ---------------------


def with_redis_db(redis_url: str, db: int) -> str:
    """The same Redis server, another database number."""
    if redis_url.startswith("unix://"):
        path = redis_url.partition("?")[0]
        return f"{path}?db={db}"
    scheme, _, rest = redis_url.partition("://")
    netloc = rest.split("/", 1)[0].split("?", 1)[0]
    return f"{scheme}://{netloc}/{db}"


def celery_url(redis_url: str) -> str:
    """Kombu spells a Unix-socket Redis `redis+socket://path?virtual_host=N`."""
    if not redis_url.startswith("unix://"):
        return redis_url
    path, _, query = redis_url.removeprefix("unix://").partition("?")
    db = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("db", "0")
    return f"redis+socket://{path}?virtual_host={db}"


# --- PostgreSQL URL from its parts (docker compose: the password is a secret file) -------------


def postgres_url(*, user: str, password: str, host: str, port: int, name: str) -> str:
    """A postgresql:// URL whose every part is percent-encoded: a password with `@`, `/`, `:`,
    `%` or `#` still names the right server, user and database."""

    def part(value: str) -> str:
        return quote(value, safe="")

    netloc_host = f"[{host}]" if ":" in host else host
    credentials = part(user) + (f":{part(password)}" if password else "")
    return f"postgresql://{credentials}@{netloc_host}:{port}/{part(name)}"
