"""H7: the calendar and seasonal adjustment of one monthly N series with X-13ARIMA-SEATS.

`adjust` takes a member's harmonized monthly index levels and returns the calendar and
seasonally adjusted series (ADJUSTMENT Y, X-13 table D11), the trend-cycle (T, table D12), the
model it used and the diagnostics; a series it cannot adjust is returned with a finding and no
values, never an exception. Plain Python and a subprocess: no Django, no database.

Partial concurrent adjustment (ESS guidelines on seasonal adjustment, 2015, item 4.2): the
model (transformation, ARIMA orders, outliers) is identified automatically at most once a year
(MODEL_LIFETIME_DAYS); in between, each run keeps it and re-estimates its parameters on the
data of the release.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date

from indices.publish.adjustment.calendars import regressors as calendar_regressors
from indices.publish.adjustment.x13 import Output, X13Error, run

MIN_YEARS = 3
MODEL_LIFETIME_DAYS = 365
MAX_CONSTANT_RUN = 6  # months with one and the same value: X-13 cannot estimate through them
TIMEOUT_SECONDS = 60.0
MAXLEAD = 12
OUTLIER = re.compile(r"^(AO|LS|TC)\d{4}\.\w+$", re.IGNORECASE)


@dataclass(frozen=True)
class Model:
    """What is kept per series between releases (stored as JSON)."""

    transform: str  # "log" or "none"
    arima: str  # "(p d q)(P D Q)"
    outliers: tuple[str, ...]  # X-13 names: "AO2020.Apr"
    identified_on: date

    def as_json(self) -> dict:
        return {
            **asdict(self),
            "outliers": list(self.outliers),
            "identified_on": str(self.identified_on),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Model:
        return cls(
            transform=data["transform"],
            arima=data["arima"],
            outliers=tuple(data["outliers"]),
            identified_on=date.fromisoformat(data["identified_on"]),
        )


@dataclass
class Adjustment:
    series_key: str
    adjusted: dict[date, float] = field(default_factory=dict)  # Y, monthly
    trend: dict[date, float] = field(default_factory=dict)  # T, monthly
    model: Model | None = None
    spec: str = ""
    diagnostics: dict = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)  # why it was not adjusted

    @property
    def ok(self) -> bool:
        return bool(self.adjusted)


def adjust(
    *,
    series_key: str,
    country: str,
    values: Mapping[date, float],
    today: date,
    model: Model | None = None,
    holiday_regressors: bool = True,
    timeout: float = TIMEOUT_SECONDS,
) -> Adjustment:
    result = Adjustment(series_key)
    problem = unadjustable(values)
    if problem:
        result.findings.append(problem)
        return result
    months = sorted(values)
    reidentify = model is None or (today - model.identified_on).days >= MODEL_LIFETIME_DAYS
    result.spec = spec_text(
        series_key=series_key,
        country=country,
        months=months,
        values=[values[m] for m in months],
        model=None if reidentify else model,
        holiday_regressors=holiday_regressors,
    )
    try:
        output = run(result.spec, timeout=timeout)
    except X13Error as error:
        result.findings.append(f"Not adjusted: {error}.")
        return result
    result.adjusted = _dated(output.tables["d11"])
    result.trend = _dated(output.tables["d12"])
    result.diagnostics = diagnostics(output)
    if reidentify:
        result.model = Model(
            transform="log" if output.udg.get("finmode") == "multiplicative" else "none",
            arima=output.udg.get("arimamdl", "").strip(),
            outliers=tuple(
                c["variable"]
                for c in result.diagnostics["regression"]
                if OUTLIER.match(c["variable"])
            ),
            identified_on=today,
        )
    else:
        result.model = model
    result.diagnostics["model"] = result.model.as_json() if result.model else None
    result.diagnostics["reidentified"] = reidentify
    return result


def unadjustable(values: Mapping[date, float]) -> str:
    """Why the series cannot be adjusted ("" if it can): too short, a gap, a zero or negative
    value, or a constant stretch."""
    if not values:
        return "Not adjusted: the series has no observations."
    months = sorted(values)
    index = [m.year * 12 + m.month - 1 for m in months]
    if len(months) < MIN_YEARS * 12:
        return (
            f"Not adjusted: {len(months)} months, fewer than the {MIN_YEARS} full years "
            "X-13ARIMA-SEATS needs."
        )
    gaps = [months[i] for i in range(1, len(months)) if index[i] != index[i - 1] + 1]
    if gaps:
        return f"Not adjusted: the series has a gap before {gaps[0]:%Y-%m}."
    bad = [m for m in months if not values[m] > 0]
    if bad:
        return f"Not adjusted: a zero or negative value in {bad[0]:%Y-%m}."
    run_length, longest, where = 1, 1, months[0]
    for i in range(1, len(months)):
        run_length = run_length + 1 if values[months[i]] == values[months[i - 1]] else 1
        if run_length > longest:
            longest, where = run_length, months[i]
    if longest >= MAX_CONSTANT_RUN:
        return f"Not adjusted: {longest} months with the same value, up to {where:%Y-%m}."
    return ""


def spec_text(
    *,
    series_key: str,
    country: str,
    months: list[date],
    values: list[float],
    model: Model | None,
    holiday_regressors: bool,
) -> str:
    """The X-13 spec file (stored per series and printed in the diagnostics)."""
    first = months[0]
    span = [
        (first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1)
        for i in range(len(months) + MAXLEAD)
    ]
    regressors = calendar_regressors(country, span)
    if not holiday_regressors:
        regressors = {"wd": regressors["wd"]}
    # A regressor constant over the data (a festival that never moves its working days)
    # cannot be estimated: left out.
    regressors = {
        name: column
        for name, column in regressors.items()
        if max(column[: len(months)]) - min(column[: len(months)]) > 1e-9
    }
    lines = [
        f'series{{ title="{series_key}" start={first.year}.{first.month:02d} period=12',
        "  data=(",
        *(f"    {float(v)!r}" for v in values),
        "  ) }",
    ]
    if model is None:
        lines.append("transform{ function=auto }")
    else:
        lines.append(f"transform{{ function={model.transform} }}")
    regression = []
    if model is not None and model.outliers:
        regression.append(f"  variables=({' '.join(model.outliers)})")
    if regressors:
        names = list(regressors)
        types = ["td" if n == "wd" else "holiday" for n in names]
        rows = [" ".join(f"{float(regressors[n][i])!r}" for n in names) for i in range(len(span))]
        regression += [
            f"  user=({' '.join(names)}) usertype=({' '.join(types)})",
            f"  start={first.year}.{first.month:02d}",
            "  data=(",
            *(f"    {row}" for row in rows),
            "  )",
        ]
    if regression:
        lines += ["regression{", *regression, "}"]
    if model is None:
        lines += ["automdl{ }", "outlier{ types=(ao ls tc) }"]
    else:
        lines.append(f"arima{{ model={model.arima} }}")
    lines += [
        f"forecast{{ maxlead={MAXLEAD} }}",
        "x11{ save=(d10 d11 d12 d13) }",
        "check{ save=(acf) }",
        "estimate{ save=(mdl est) }",
    ]
    return "\n".join(lines) + "\n"


def _dated(rows: list[tuple[str, float]]) -> dict[date, float]:
    return {date(int(stamp[:4]), int(stamp[4:6]), 1): value for stamp, value in rows}


def _pair(text: str | None) -> dict | None:
    if not text:
        return None
    parts = text.split()
    try:
        return {"statistic": float(parts[0]), "p_value": float(parts[1])}
    except (IndexError, ValueError):
        return None


def diagnostics(output: Output) -> dict:
    """Model, coefficients with t-values, M and Q statistics, QS and F tests for residual
    seasonality, Ljung-Box: from X-13's .udg, .est and .acf."""
    udg = output.udg
    d11_f = (udg.get("d11.f") or "").split()
    return {
        "arima": udg.get("arimamdl", "").strip(),
        "transform": "log" if udg.get("finmode") == "multiplicative" else "none",
        "observations": int(udg["nobs"]) if udg.get("nobs", "").isdigit() else None,
        "aicc": _float(udg.get("aicc")),
        "regression": _coefficients(output.texts.get("est", "")),
        "m_statistics": {
            key.split(".")[1].upper(): _float(value)
            for key, value in udg.items()
            if re.fullmatch(r"f3\.m\d\d", key)
        },
        "q": _float(udg.get("f3.q")),
        "q_without_m2": _float(udg.get("f3.qm2")),
        "qs": {
            "original": _pair(udg.get("qsori")),
            "seasonally_adjusted": _pair(udg.get("qssadj")),
            "irregular": _pair(udg.get("qsirr")),
            "residuals": _pair(udg.get("qsrsd")),
        },
        # X-13 prints the p-value of the F test in percent.
        "f_residual_seasonality": (
            {"statistic": float(d11_f[0]), "p_value": round(float(d11_f[1]) / 100, 9)}
            if len(d11_f) == 2
            else None
        ),
        "ljung_box": _ljung_box(output.texts.get("acf", "")),
        "warnings": [
            line.strip() for line in output.texts.get("err", "").splitlines() if "WARNING" in line
        ][:20],
    }


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _coefficients(est: str) -> list[dict]:
    """The regression section of the .est table: variable, estimate, standard error, t."""
    found, inside = [], False
    for line in est.splitlines():
        if line.startswith("$regression$estimates"):
            inside = True
            continue
        if inside and line.startswith("$"):
            break
        parts = line.split("\t")
        if not inside or len(parts) < 4 or parts[0] in ("group", "-----"):
            continue
        estimate, error = float(parts[2]), _float(parts[3].strip() or None)
        found.append(
            {
                "group": parts[0],
                "variable": parts[1],
                "estimate": estimate,
                "standard_error": error,
                "t": estimate / error if error else None,
            }
        )
    return found


def _ljung_box(acf: str) -> dict:
    """Q and its p-value at lags 12 and 24 of the model residuals."""
    result = {}
    for line in acf.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 6 and parts[0].isdigit() and int(parts[0]) in (12, 24):
            result[f"lag_{int(parts[0])}"] = {
                "q": float(parts[3]),
                "df": int(parts[4]),
                "p_value": float(parts[5]),
            }
    return result
