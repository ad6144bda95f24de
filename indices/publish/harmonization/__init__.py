"""Harmonization (STANDARD.md section 5, H1-H6) as plain Python: no database, no Django models.

`harmonize_member` turns one member's stored national series into its published series;
`aggregate_group` turns the members' monthly IX series into a group's (MKG, MKG_JP). The
method, for statisticians, is in docs/methodology.md.
"""

from indices.publish.harmonization.aggregate import ChainFrom, ChainMeans, aggregate_group
from indices.publish.harmonization.derive import attributes_shown, coverage_shown
from indices.publish.harmonization.member import harmonize_member
from indices.publish.harmonization.statuses import PRECEDENCE
from indices.publish.harmonization.types import (
    HarmonizedSeries,
    NationalObservation,
    NationalSeries,
    ObservationColumns,
    Point,
    Unpublishable,
)

__all__ = [
    "PRECEDENCE",
    "ChainFrom",
    "ChainMeans",
    "HarmonizedSeries",
    "NationalObservation",
    "NationalSeries",
    "ObservationColumns",
    "Point",
    "Unpublishable",
    "aggregate_group",
    "attributes_shown",
    "coverage_shown",
    "harmonize_member",
]
