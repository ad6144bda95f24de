"""PostgreSQL settings changed for a block of the current transaction only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def settings_for_block(cursor, settings: Mapping[str, str]) -> Iterator[None]:
    """`settings` (name: value) in force for the block, as they were after it. Local to the
    transaction (`set_config(..., true)`): outside one they lapse at once, and a block that
    fails leaves them to its transaction's rollback."""
    before = {}
    for name, value in settings.items():
        cursor.execute("SELECT current_setting(%s)", [name])
        (before[name],) = cursor.fetchone()
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    for name, value in before.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
