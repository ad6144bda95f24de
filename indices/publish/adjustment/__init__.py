"""H7: central calendar and seasonal adjustment with X-13ARIMA-SEATS (docs/methodology.md,
docs/seasonal-adjustment.md). Plain Python around the Census Bureau's binary."""

from indices.publish.adjustment.engine import Adjustment, Model, adjust, unadjustable
from indices.publish.adjustment.x13 import X13Error, binary_check

__all__ = ["Adjustment", "Model", "X13Error", "adjust", "binary_check", "unadjustable"]
