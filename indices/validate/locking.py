"""Waiting for a PostgreSQL lock for a bounded time, where waiting longer is worse than doing
without: the holder may be another validation's long transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

from ipi_exchange.db_settings import settings_for_block

LOCK_NOT_AVAILABLE = "55P03"


class LockBusy(Exception):
    """The lock was not free within the time allowed; what the block did is rolled back."""


@contextmanager
def lock_wait_at_most(timeout: str) -> Iterator[None]:
    """A savepoint (or transaction) in which any lock wait ends after `timeout` (e.g. "200ms")
    with LockBusy. The session's own lock_timeout is back in force after the block."""
    try:
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            settings_for_block(cursor, {"lock_timeout": timeout}),
        ):
            yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise LockBusy from error
        raise
