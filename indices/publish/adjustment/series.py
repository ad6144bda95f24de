"""An adjustment's values as published series: Y and T monthly and quarterly (H5 means of the
adjusted months), as IX, PCH_PRE and PCH_SM; no annual Y or T. COMPILING_ORG is the
secretariat (MKG_SEC): the exchange adjusted them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from indices.publish.adjustment.engine import Adjustment
from indices.publish.harmonization.aggregate import SECRETARIAT
from indices.publish.harmonization.derive import derive_all
from indices.publish.harmonization.levels import Level, Levels
from indices.publish.harmonization.periods import to_index
from indices.publish.harmonization.types import HarmonizedSeries

__all__ = ["SECRETARIAT", "adjusted_series"]


def adjusted_series(
    adjustment: Adjustment,
    *,
    ref_area: str,
    activity: str,
    statuses: Mapping[date, str],
    attributes: Mapping[str, object],
) -> list[HarmonizedSeries]:
    """`statuses`: the N series' monthly statuses, carried to the adjusted months."""
    result: list[HarmonizedSeries] = []
    for code, values in (("Y", adjustment.adjusted), ("T", adjustment.trend)):
        levels = Levels.from_mapping(
            {
                to_index("M", month): Level(value, statuses.get(month, "A"))
                for month, value in values.items()
            }
        )
        result += [
            s
            for s in derive_all(
                freq="M",
                levels=levels,
                ref_area=ref_area,
                activity=activity,
                adjustment=code,
                attributes={**attributes, "COMPILING_ORG": SECRETARIAT},
            )
            if s.freq != "A"
        ]
    return result
