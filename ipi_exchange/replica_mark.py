"""The replicas' mark: the primary's WAL position after the last committed write that replicas
must show, kept in Redis (the highest wins). ipi_exchange/replicas.py reads it to decide whether
a replica may answer, and records it after writes when replicas are configured; a publication
records it in every process whatever the configuration (indices/disseminate/receivers.py),
so a worker started without DATABASE_REPLICA_URLS still moves it. No side effect at import."""

from __future__ import annotations

import logging
from typing import Any, cast

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

# Redis key of the lowest WAL position a replica must have replayed (16 hex digits, so that
# comparing strings compares positions).
LSN_KEY = "ipi:replica:lsn"

# Keep the highest position: KEYS[1] the key, ARGV[1] a position as 16 hex digits.
RECORD_SCRIPT = """
local current = redis.call('GET', KEYS[1])
if not current or current < ARGV[1] then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""


def redis_client() -> Any:
    return cast(RedisCache, cache)._cache.get_client(write=True)


def primary_lsn_record() -> bool:
    """Record the primary's current WAL position (call after a commit); False if it failed,
    logged: replicas could then serve data older than that write."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
            position = int(cursor.fetchone()[0])
        redis_client().eval(RECORD_SCRIPT, 1, LSN_KEY, f"{position:016x}")
    except Exception:
        logger.exception("could not record the primary's WAL position for the replicas")
        return False
    return True


def required_lsn() -> int | None:
    """The position a replica must have replayed; None if it cannot be known. A mark never
    recorded, or lost with Redis's data, is replaced by the primary's position now: no older
    than any write, so no replica is trusted with less."""
    try:
        value = redis_client().get(LSN_KEY)
        if value is None and primary_lsn_record():
            value = redis_client().get(LSN_KEY)
    except Exception as error:
        logger.warning("replicas unused: the primary's position cannot be read: %s", error)
        return None
    return None if value is None else int(value, 16)
