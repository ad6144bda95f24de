"""SDMX series-key syntax: `M.TH.C.N.IX`, `M.TH+VN.C.N.IX`, `M..C.N.IX` (empty = all)."""

from __future__ import annotations

from dataclasses import dataclass

from ipi_exchange.errors import ApplicationError

DIMENSIONS = ("freq", "ref_area", "activity", "adjustment", "transformation")
DIMENSION_IDS = ("FREQ", "REF_AREA", "ACTIVITY", "ADJUSTMENT", "TRANSFORMATION")


@dataclass(frozen=True)
class KeyFilter:
    """Per dimension, the codes asked for; an empty tuple means every code."""

    freq: tuple[str, ...] = ()
    ref_area: tuple[str, ...] = ()
    activity: tuple[str, ...] = ()
    adjustment: tuple[str, ...] = ()
    transformation: tuple[str, ...] = ()

    def as_filters(self) -> dict[str, tuple[str, ...]]:
        return {name: getattr(self, name) for name in DIMENSIONS}


def parse_key(key: str | None) -> KeyFilter:
    """`all`, an empty key or `*` mean everything; otherwise five dot-separated positions."""
    if key is None or key.strip() in {"", "all", "*"}:
        return KeyFilter()
    positions = key.strip().split(".")
    if len(positions) != len(DIMENSIONS):
        raise ApplicationError(
            f"The key {key!r} has {len(positions)} positions; it needs "
            f"{len(DIMENSIONS)}: {'.'.join(DIMENSION_IDS)} (e.g. M.TH.C.N.IX; leave a position "
            "empty for all codes, join codes with +: M.TH+VN.C.N.IX).",
            code="invalid_key",
        )
    codes = [tuple(code for code in position.split("+") if code) for position in positions]
    return KeyFilter(**dict(zip(DIMENSIONS, codes, strict=True)))
