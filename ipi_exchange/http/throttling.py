"""Counters in Redis (the Django cache's server), and the per-credential rate limit on them.

A fixed window per credential: one Lua script increments the counter and sets its expiry in
the same step, so concurrent workers never lose a count nor leave a counter without expiry.
Limits come from settings (IPI_API_RATE, e.g. "600/minute"); 429 answers carry Retry-After.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.http import HttpRequest, HttpResponseBase
from redis.commands.core import Script
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

DEFAULT_RATE = "600/minute"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# A fixed-window counter, shared by every count kept in Redis (rates, failed tokens).
# KEYS[1] counter; ARGV[1] window in ms. Returns {count, ms left in the window}.
INCREMENT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""
_scripts: dict[tuple[int, str], Script] = {}


def _redis() -> RedisCacheClient:
    """The Redis client behind the Django cache (settings.CACHES is always a RedisCache)."""
    return cast(RedisCache, cache)._cache


def redis_script(name: str, source: str) -> Script:
    """Lua script `source`, registered once as `name` per connection pool: building a redis
    client per request costs more than the round trip itself."""
    pool = _redis()._get_connection_pool(True)  # type: ignore[attr-defined]  # private, unstubbed
    if (id(pool), name) not in _scripts:
        client = _redis().get_client(write=True)
        _scripts[(id(pool), name)] = client.register_script(source)
    return _scripts[(id(pool), name)]


def redis_script_run(name: str, source: str, key: str, *args: int) -> tuple[int, int]:
    """Run Lua script `source` (registered once as `name`) on `key`: (count, ttl in ms).
    Shared by every counter kept in Redis."""
    count, ttl_ms = redis_script(name, source)(keys=[key], args=list(args))
    return int(count), int(ttl_ms)


def rate_key_prefix(scope: str = "read") -> str:
    """A credential's counter is this prefix followed by its ident (Principal.pk)."""
    return f"{cache.key_prefix}:throttle:{scope}:"


def rate_limit_counted(request: HttpRequest, count: int, ttl_ms: int) -> None:
    """A request whose rate-limit count was already taken (the read endpoints' fast path,
    indices/disseminate/answers.py, in the same round trip as its credential): the throttle
    reuses it rather than counting the request twice."""
    request.rate_limit_count = (count, ttl_ms)  # type: ignore[attr-defined]


def redis_client():
    """A client of the Redis behind the Django cache."""
    return _redis().get_client(write=True)


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/minute" -> (600, 60); "0/..." or "" disables the limit."""
    if not rate:
        return 0, 60
    count, _, period = rate.partition("/")
    return int(count), PERIODS[(period or "m").strip()[0].lower()]


class CredentialRateThrottle(BaseThrottle):
    """One bucket per credential (request.user.pk), shared by every read endpoint."""

    scope = "read"
    setting = "IPI_API_RATE"

    def __init__(self) -> None:
        self.limit, self.period = parse_rate(getattr(settings, self.setting, DEFAULT_RATE))
        self.retry_after = 0.0

    def allow_request(self, request: Request, view: object) -> bool:
        if self.limit <= 0:
            return True
        user = request.user
        ident = user.pk if getattr(user, "is_authenticated", False) else self.get_ident(request)
        counted = getattr(request._request, "rate_limit_count", None)
        if counted is not None:
            count, ttl_ms = counted
        else:
            key = f"{rate_key_prefix(self.scope)}{ident}"
            try:
                count, ttl_ms = redis_script_run("rate", INCREMENT, key, self.period * 1000)
            except Exception:
                logger.warning("rate limit not enforced: Redis unavailable", exc_info=True)
                return True
        # Per-request state for RateLimitHeadersMiddleware, on the Django request underneath
        # (the DRF request is gone by the time the middleware sees the answer).
        request._request.rate_limit = (  # type: ignore[attr-defined]
            self.limit,
            max(self.limit - int(count), 0),
            ttl_ms / 1000,
        )
        if int(count) <= self.limit:
            return True
        self.retry_after = ttl_ms / 1000
        return False

    def wait(self) -> float:
        # Whole seconds, rounded up: a client that waits that long is let in.
        return max(1, math.ceil(self.retry_after))


def rate_limit_headers(request: HttpRequest) -> dict[str, str]:
    """RateLimit-* headers (IETF draft) for a response, when the throttle counted it."""
    state = getattr(request, "rate_limit", None)
    if state is None:
        return {}
    limit, remaining, reset = state
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(math.ceil(reset)),
    }


class RateLimitHeadersMiddleware:
    """Every answer the throttle counted says where its credential stands (RateLimit-*),
    errors and 304s included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        return response
