"""A read of the database run beside the transaction that needs it, on a second connection.

Publication waits on the server for long reads that nothing before them changes: the members'
published levels that H6 needs are the same from the transaction's first statement to its
vintages. Started at once on a second connection, such a read goes on while this one stores
and harmonizes (the server and the client each work on their own core).

The second connection reads in the transaction's own snapshot (`pg_export_snapshot`), so it sees
what this transaction would. It cannot see the transaction's own writes: where the transaction
has written anything already (a test's data not yet committed, say), the read is done later
on this connection instead, as if it had not been started beside.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

from django.db import connection, transaction

logger = logging.getLogger(__name__)
T = TypeVar("T")

# The snapshot to read in, or NULL where the transaction has written already.
_EXPORT = """
SELECT CASE WHEN pg_current_xact_id_if_assigned() IS NULL THEN pg_export_snapshot() END
"""


class ReadBeside(Generic[T]):
    """`read`, started on a second connection when it sees what this one does; `result()`
    waits for it (or runs it here). Call inside the transaction, and `result()` before it ends:
    the snapshot lives as long as the transaction that exported it."""

    def __init__(self, read: Callable[[], T], *, worth_it: bool = True):
        """`worth_it`: False where the read costs less than a second connection (read here)."""
        self.read = read
        self.future: Future[T] | None = None
        if not worth_it or not connection.in_atomic_block:  # (no snapshot outlives autocommit)
            return
        with connection.cursor() as cursor:
            cursor.execute(_EXPORT)
            (snapshot,) = cursor.fetchone()
        if snapshot is not None:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-beside")
            self.future = pool.submit(_in_snapshot, snapshot, read)
            pool.shutdown(wait=False)  # the thread ends with its one read
            logger.debug("reading beside, in snapshot %s", snapshot)

    @property
    def beside(self) -> bool:
        """Whether the read runs on a second connection."""
        return self.future is not None

    def result(self) -> T:
        if self.future is not None:
            try:
                return self.future.result()
            except Exception:  # a second connection refused (too many clients, say)
                logger.warning("a read beside failed; read again here", exc_info=True)
        return self.read()


def _in_snapshot(snapshot: str, read: Callable[[], T]) -> T:
    """`read` on this thread's own connection, in the exported snapshot; closed after."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            return read()
    finally:
        connection.close()
