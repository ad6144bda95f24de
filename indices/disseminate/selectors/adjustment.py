"""H7 diagnostics as published: the exchange's adjustment of a member's monthly series, as the
follow-up release that published it left it (never a run not yet published)."""

from __future__ import annotations

from datetime import datetime

from indices.publish.adjustment.engine import OUTLIER
from indices.publish.models import SeriesAdjustment

# The codes of a series whose adjustment can be asked for at its key.
ADJUSTMENT_CODES = {"N", "Y", "T"}


def adjusted_source_key(key: str) -> str | None:
    """The monthly N series whose adjustment a series key names (Y, T or N, any frequency and
    transformation): M.TH.C.Y.IX and Q.TH.C.T.PCH_SM both name M.TH.C.N.IX."""
    parts = key.split(".")
    if len(parts) != 5 or parts[3] not in ADJUSTMENT_CODES or parts[0] not in ("M", "Q"):
        return None
    return f"M.{parts[1]}.{parts[2]}.N.IX"


def adjustment_published(key: str) -> tuple[dict, datetime] | None:
    """The published diagnostics of the series' adjustment and their instant; None if the
    exchange never published an adjustment of it."""
    source = adjusted_source_key(key)
    if source is None:
        return None
    row = (
        SeriesAdjustment.objects.filter(pk=source, published_at__isnull=False)
        .only("published", "published_at")
        .first()
    )
    if row is None or not row.published:
        return None
    assert row.published_at is not None
    return row.published, row.published_at


def adjustment_body(key: str, published: dict) -> dict:
    """The answer, shared with the series page: the diagnostics split into what a reader looks
    for first (coefficients: calendar and outliers)."""
    diagnostics = published.get("diagnostics") or {}
    regression = diagnostics.get("regression") or []
    outliers = [c for c in regression if OUTLIER.match(c.get("variable", ""))]
    calendar = [c for c in regression if not OUTLIER.match(c.get("variable", ""))]
    return {
        "key": key,
        "adjusted_series": adjusted_source_key(key),
        "status": published.get("status"),
        "compiling_org": published.get("compiling_org"),
        "member_own": published.get("member_own", []),
        "findings": published.get("findings", []),
        "release": published.get("release"),
        "model": published.get("model"),
        "reidentified": diagnostics.get("reidentified"),
        "arima": diagnostics.get("arima"),
        "transform": diagnostics.get("transform"),
        "observations": diagnostics.get("observations"),
        "aicc": diagnostics.get("aicc"),
        "calendar": calendar,
        "outliers": outliers,
        "m_statistics": diagnostics.get("m_statistics", {}),
        "q": diagnostics.get("q"),
        "q_without_m2": diagnostics.get("q_without_m2"),
        "qs": diagnostics.get("qs", {}),
        "f_residual_seasonality": diagnostics.get("f_residual_seasonality"),
        "ljung_box": diagnostics.get("ljung_box", {}),
        "warnings": diagnostics.get("warnings", []),
        "spec": published.get("spec", ""),
    }
