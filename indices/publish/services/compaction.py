"""Keeping the stores' indexes compact as they grow (issue #14).

A release adds values in the middle of the stores' B-tree indexes: a new month of a series lies
between that series' last value and the next series' first. A full page splits into two half
full ones, which later releases, writing elsewhere, do not fill again. On the benchmark's store
of 10 million values, filled by monthly releases, the national store's primary key took 1.45
times the room its entries need and the published store's 2 times.

`stores_compact` rebuilds each index of the two stores whose size is over BLOATED times what its
entries need (estimated from the table's statistics), with REINDEX CONCURRENTLY: readers and
releases go on while it builds, and the new index takes the old one's place when done. Beat
runs it daily on the maintenance queue (settings.CELERY_BEAT_SCHEDULE); most days it only
reads the catalog.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from django.db import connection

logger = logging.getLogger(__name__)

STORES = ("indices_nationalobservation", "indices_publishedobservation")
# Rebuilt when over this times the estimated size: a freshly built index is 1.0-1.1.
BLOATED = 1.3
# Indexes smaller than this are left alone: rebuilding them saves little.
SMALLEST_BYTES = 32 * 1024 * 1024
# One compaction at a time (a session advisory lock, as the publisher's).
COMPACTION_LOCK = 0x1B1_0002

PAGE_BYTES = 8192
# A B-tree page's header (24 bytes) and special space (16); pages filled to the default
# fillfactor when built (90%).
PAGE_ROOM = (PAGE_BYTES - 24 - 16) * 0.9
ALIGNMENT = {"c": 1, "s": 2, "i": 4, "d": 8}

# Per index of the tables: whether it is valid (an interrupted REINDEX CONCURRENTLY leaves its
# new index behind, invalid, named ..._ccnew), its size, its entries (estimated by ANALYZE,
# partial indexes included), and per key column its length (-1: variable), alignment and
# average width.
_INDEXES = """
SELECT index_class.relname, i.indisvalid, pg_relation_size(index_class.oid),
       index_class.reltuples,
       array_agg(a.attlen ORDER BY k.position),
       array_agg(a.attalign::text ORDER BY k.position),
       array_agg(coalesce(s.avg_width, a.attlen) ORDER BY k.position)
FROM pg_index AS i
JOIN pg_class AS index_class ON index_class.oid = i.indexrelid
JOIN pg_class AS table_class ON table_class.oid = i.indrelid
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k (attnum, position)
JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
LEFT JOIN pg_stats AS s
    ON s.schemaname = current_schema() AND s.tablename = table_class.relname
   AND s.attname = a.attname
WHERE table_class.relname = ANY(%(tables)s)
  AND table_class.relnamespace = current_schema()::regnamespace
GROUP BY index_class.relname, i.indisvalid, index_class.oid, index_class.reltuples
ORDER BY index_class.relname
"""


@dataclass(frozen=True)
class IndexSize:
    name: str
    bytes: int
    needed: int  # estimated size of the same entries in a freshly built index

    @property
    def bloat(self) -> float:
        return self.bytes / self.needed if self.needed else 0.0


def index_sizes(tables: tuple[str, ...] = STORES) -> list[IndexSize]:
    """The valid indexes of `tables`, their size and what their entries need (after ANALYZE)."""
    return [index for index, valid in _indexes(tables) if valid]


def _indexes(tables: tuple[str, ...]) -> list[tuple[IndexSize, bool]]:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        cursor.execute(_INDEXES, {"tables": list(tables)})
        rows = cursor.fetchall()
    return [
        (
            IndexSize(
                name, size, _needed_bytes(entries, zip(lengths, aligns, widths, strict=True))
            ),
            valid,
        )
        for name, valid, size, entries, lengths, aligns, widths in rows
    ]


def stores_compact(*, smallest_bytes: int = SMALLEST_BYTES) -> list[str]:
    """Rebuild the stores' bloated indexes; returns their names (none if another compaction
    is at work). Run outside a transaction: REINDEX CONCURRENTLY cannot run inside one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [COMPACTION_LOCK])
        if not cursor.fetchone()[0]:
            return []
    rebuilt = []
    try:
        for index, valid in _indexes(STORES):
            name = connection.ops.quote_name(index.name)
            if not valid:  # left by an interrupted rebuild
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP INDEX CONCURRENTLY {name}")
                logger.warning("index %s, left by an interrupted compaction, dropped", index.name)
                continue
            if index.bytes < smallest_bytes or index.bloat < BLOATED:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"REINDEX INDEX CONCURRENTLY {name}")
            logger.info(
                "index %s rebuilt: %.1f MB, %.2f times what its entries need",
                index.name,
                index.bytes / 1e6,
                index.bloat,
            )
            rebuilt.append(index.name)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [COMPACTION_LOCK])
    return rebuilt


def _needed_bytes(entries: float, columns) -> int:
    """A freshly built index's size for `entries` of these key columns: each entry's 8-byte
    header, its columns aligned as PostgreSQL lays them out (a short text unaligned), the whole
    aligned to 8, and a 4-byte line pointer; pages filled to the fillfactor."""
    if entries <= 0:  # never analyzed (-1), or empty
        return 0
    offset = 0
    for length, align, width in columns:
        if length == -1:
            offset += width
        else:
            offset = _aligned(offset, ALIGNMENT[align]) + length
    entry = _aligned(8 + offset, 8) + 4
    return math.ceil(entries * entry / PAGE_ROOM) * PAGE_BYTES


def _aligned(offset: int, alignment: int) -> int:
    return -(-offset // alignment) * alignment
