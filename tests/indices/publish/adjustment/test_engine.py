"""H7 with the real X-13ARIMA-SEATS binary: the service's values against a run by hand,
generated series with known seasonality and festivals, the bad cases, partial concurrent
adjustment. Each adjustment takes about half a second; a dozen runs in all."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from indices.publish.adjustment import X13Error, adjust, binary_check
from indices.publish.adjustment import x13 as x13_module
from indices.publish.adjustment.calendars import festival_days, regressors
from indices.publish.adjustment.engine import Model

START = 2014
N = 120  # 2014-01 .. 2023-12
MONTHS = [date(START + i // 12, i % 12 + 1, 1) for i in range(N)]


def generated(country: str, festival: str, effect: float, seed: int) -> dict[date, float]:
    """log y = trend + stable seasonality (an April dip) + festival effect + noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(N)
    month = np.array([m.month for m in MONTHS])
    seasonal = 0.05 * np.sin(2 * np.pi * t / 12) + np.where(month == 4, -0.06, 0.0)
    calendar = np.array(regressors(country, [(m.year, m.month) for m in MONTHS])[festival])
    log_y = 4.6 + 0.002 * t + seasonal + effect * calendar + rng.normal(0, 0.004, N)
    return dict(zip(MONTHS, np.exp(log_y), strict=True))


def swing(adjusted: dict[date, float], country: str, festival: str) -> float:
    """|correlation| of the adjusted series' monthly log changes with the festival regressor's
    changes: the festival's swing left in the adjusted series."""
    calendar = np.diff(regressors(country, [(m.year, m.month) for m in MONTHS])[festival])
    changes = np.diff(np.log([adjusted[m] for m in MONTHS]))
    return abs(float(np.corrcoef(changes, calendar)[0, 1]))


def test_tet_moves_between_january_and_february():
    assert min(festival_days("VN", 2023)["tet"]).month == 1
    assert min(festival_days("VN", 2024)["tet"]).month == 2
    assert {d.month for d in festival_days("TH", 2024)["songkran"]} == {4}


@pytest.mark.parametrize(("country", "festival"), [("VN", "tet"), ("TH", "songkran")])
def test_generated_festival_is_removed_and_regressors_matter(country, festival):
    values = generated(country, festival, effect=-0.03, seed=7)
    on = adjust(
        series_key=f"M.{country}.C.N.IX", country=country, values=values, today=date(2024, 1, 15)
    )
    assert on.ok, on.findings
    qs = on.diagnostics["qs"]["seasonally_adjusted"]
    assert qs["p_value"] > 0.05  # no residual seasonality
    assert on.diagnostics["f_residual_seasonality"]["p_value"] > 0.05
    coefficient = next(c for c in on.diagnostics["regression"] if c["variable"] == festival)
    assert abs(coefficient["t"]) > 2
    assert coefficient["estimate"] == pytest.approx(-0.03, abs=0.01)
    off = adjust(
        series_key=f"M.{country}.C.N.IX",
        country=country,
        values=values,
        today=date(2024, 1, 15),
        holiday_regressors=False,
    )
    assert off.ok, off.findings
    assert swing(on.adjusted, country, festival) < 0.2
    assert swing(off.adjusted, country, festival) > 0.5  # without the regressor it stays
    assert set(on.trend) == set(MONTHS)


def _table(path: Path) -> dict[str, str]:
    """D11 as X-13 printed it, read without the service's parser."""
    rows = path.read_text().splitlines()[2:]
    return dict(row.split("\t") for row in rows if row.strip())


def test_the_binary_run_by_hand_gives_the_services_values(tmp_path):
    values = generated("VN", "tet", effect=-0.02, seed=3)
    service = adjust(series_key="M.VN.C.N.IX", country="VN", values=values, today=date(2024, 1, 15))
    assert service.ok
    (tmp_path / "hand.spc").write_text(service.spec)
    subprocess.run(
        [str(x13_module.binary_path()), "hand", "-g", f"{tmp_path}/", "-s"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=60,
    )
    printed = _table(tmp_path / "hand.d11")
    assert len(printed) == N
    for month in MONTHS:
        assert service.adjusted[month] == float(printed[f"{month:%Y%m}"])  # to the last digit


def test_partial_concurrent_model_kept_within_a_year_then_reidentified():
    values = generated("TH", "songkran", effect=-0.02, seed=5)
    first = adjust(series_key="k", country="TH", values=values, today=date(2024, 1, 15))
    assert first.diagnostics["reidentified"] and first.model is not None
    kept = Model(first.model.transform, "(0 1 1)(0 1 1)", ("AO2020.Apr",), date(2023, 6, 1))
    again = adjust(series_key="k", country="TH", values=values, today=date(2024, 2, 15), model=kept)
    assert not again.diagnostics["reidentified"]
    assert again.diagnostics["arima"] == "(0 1 1)(0 1 1)"
    assert "AO2020.Apr" in [c["variable"] for c in again.diagnostics["regression"]]
    assert "arima{ model=(0 1 1)(0 1 1) }" in again.spec and "automdl" not in again.spec
    later = adjust(series_key="k", country="TH", values=values, today=date(2024, 6, 1), model=kept)
    assert later.diagnostics["reidentified"] and later.model.identified_on == date(2024, 6, 1)
    assert Model.from_json(later.model.as_json()) == later.model


@pytest.mark.parametrize(
    ("change", "finding"),
    [
        (lambda v: dict(list(v.items())[:35]), "fewer than the 3 full years"),
        (lambda v: {m: x for m, x in v.items() if m != date(2018, 5, 1)}, "gap before 2018-06"),
        (lambda v: {**v, date(2019, 2, 1): 0.0}, "zero or negative value in 2019-02"),
        (lambda v: {m: (100.0 if m.year == 2020 else x) for m, x in v.items()}, "12 months"),
    ],
)
def test_a_bad_series_is_left_unadjusted_with_a_finding(change, finding):
    values = change(generated("VN", "tet", effect=-0.02, seed=1))
    result = adjust(series_key="k", country="VN", values=values, today=date(2024, 1, 15))
    assert not result.ok and not result.trend
    assert finding in result.findings[0]


def test_a_timeout_or_a_failing_run_is_a_finding_not_an_exception():
    values = generated("VN", "tet", effect=-0.02, seed=1)
    slow = adjust(
        series_key="k", country="VN", values=values, today=date(2024, 1, 15), timeout=0.001
    )
    assert not slow.ok and "did not finish" in slow.findings[0]
    broken = Model("log", "(9 9 9)(9 9 9)", (), date(2024, 1, 1))
    failed = adjust(
        series_key="k", country="VN", values=values, today=date(2024, 1, 15), model=broken
    )
    assert not failed.ok and "X-13ARIMA-SEATS stopped" in failed.findings[0]


def test_a_missing_or_corrupt_binary_is_named(tmp_path, monkeypatch):
    assert len(binary_check()) == 64
    monkeypatch.setenv(x13_module.BINARY_ENV, str(tmp_path / "absent"))
    with pytest.raises(X13Error, match="missing"):
        binary_check()
    corrupt = tmp_path / "x13as"
    corrupt.write_text("#!/bin/sh\necho hello\n")
    corrupt.chmod(0o755)
    monkeypatch.setenv(x13_module.BINARY_ENV, str(corrupt))
    with pytest.raises(X13Error, match="corrupt"):
        binary_check()
    result = adjust(
        series_key="k",
        country="VN",
        values=generated("VN", "tet", -0.02, 1),
        today=date(2024, 1, 1),
    )
    assert not result.ok and "corrupt" in result.findings[0]
