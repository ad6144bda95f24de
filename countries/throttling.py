"""Brute force on bearer tokens: failed attempts counted per client IP, in Redis.

Each failed `Authorization: Bearer …` attempt increments a counter for the caller's IP; the
counter is created with an expiry (a fixed window) in the same atomic step, so concurrent web
processes never lose a count nor leave a counter that never expires. Once an IP has failed
IPI_AUTH_FAILURES_PER_WINDOW times, every bearer attempt from it is refused with 429 (and
Retry-After) until its window ends, valid tokens included: otherwise the difference between
"refused" and "accepted" would still tell the attacker which guess was right. Successful
requests are never counted. 0 disables the limit.

The client IP is REMOTE_ADDR, unless REST_FRAMEWORK["NUM_PROXIES"] says how many proxies in
front of us append to X-Forwarded-For (then the address the outermost trusted proxy saw):
trusting X-Forwarded-For blindly would let an attacker pick a fresh "IP" for every guess.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions
from rest_framework.settings import api_settings

from ipi_exchange import local_caches
from ipi_exchange.http.throttling import INCREMENT, redis_client, redis_script_run

logger = logging.getLogger(__name__)

DEFAULT_FAILURES = 20
DEFAULT_WINDOW_SECONDS = 300

# KEYS[1] counter. Returns {count or 0, ms left}.
_PEEK = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
return {count, redis.call('PTTL', KEYS[1])}
"""


class TooManyFailedAttempts(exceptions.Throttled):
    default_detail = "Too many failed authentication attempts from this address."
    default_code = "too_many_failed_attempts"


def _limits() -> tuple[int, int]:
    limit = int(getattr(settings, "IPI_AUTH_FAILURES_PER_WINDOW", DEFAULT_FAILURES))
    window = int(getattr(settings, "IPI_AUTH_FAILURE_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))
    return limit, max(window, 1)


def client_ip(request) -> str:
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or "unknown"
    proxies = api_settings.NUM_PROXIES
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote


def _key(request) -> str:
    return _key_for(client_ip(request))


def _key_for(ip: str) -> str:
    return f"{cache.key_prefix}:authfail:{ip}"


def auth_failures_refuse(request) -> None:
    """Raise 429 (Retry-After: the rest of the window) while the caller's IP is over its
    failure budget. Call before looking at the token. Fails open if Redis is unreachable:
    an outage of the counter must not lock every agency out."""
    limit, _ = _limits()
    if limit <= 0:
        return
    try:
        count, ttl_ms = redis_script_run("peek", _PEEK, _key(request))
    except Exception:
        logger.warning("authentication failures not limited: Redis unavailable", exc_info=True)
        return
    if count >= limit:
        raise TooManyFailedAttempts(wait=max(1, math.ceil(max(ttl_ms, 0) / 1000)))


def auth_failure_record(request) -> int:
    """Count one failed bearer attempt from the caller's IP; the count so far in the window."""
    limit, window = _limits()
    if limit <= 0:
        return 0
    try:
        count, _ = redis_script_run("increment", INCREMENT, _key(request), window * 1000)
    except Exception:
        logger.warning("authentication failure not counted: Redis unavailable", exc_info=True)
        return 0
    if count == limit:
        logger.warning("client %s reached %s failed token attempts", client_ip(request), limit)
        # Processes that answer from memory must refuse this address from now on too.
        local_caches.announce("lock", client_ip(request))
    return count


def auth_failures_reset(ip: str) -> None:
    """Forget an IP's failures (tests, or an operator unblocking an office)."""
    redis_client().delete(_key_for(ip))
