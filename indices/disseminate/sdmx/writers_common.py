"""What every data writer shares: which parts a `detail` level shows."""

from __future__ import annotations

from dataclasses import dataclass

from indices.disseminate.sdmx.data import Obs, SeriesData


@dataclass(frozen=True)
class Shape:
    """`detail` and `dimensionAtObservation` as the writers need them."""

    detail: str = "full"
    dimension_at_observation: str = "TIME_PERIOD"

    @property
    def observations(self) -> bool:
        return self.detail in {"full", "dataonly"}

    @property
    def attributes(self) -> bool:
        return self.detail in {"full", "nodata"}

    @property
    def flat(self) -> bool:
        """Observations carry the full key (AllDimensions) rather than sitting in series."""
        return self.dimension_at_observation == "AllDimensions" and self.observations


def obs_attributes(obs: Obs) -> list[tuple[str, str]]:
    values = [("OBS_STATUS", obs.status)] if obs.status else []
    if obs.comment:
        values.append(("COMMENT", obs.comment))
    return values


def effective_dimension(detail: str, dimension_at_observation: str) -> str:
    """Without observations there is nothing to flatten: keys stay series keys."""
    return "TIME_PERIOD" if detail in {"serieskeysonly", "nodata"} else dimension_at_observation


__all__ = ["Obs", "SeriesData", "Shape", "effective_dimension", "obs_attributes"]
