"""Adjusted values as series (M and Q, no A) and the regional Y aggregate (H6 over the
members' Y series, indirect) against numpy."""

from __future__ import annotations

from datetime import date

import numpy as np

from indices.publish.adjustment import adjust
from indices.publish.adjustment.calendars import regressors
from indices.publish.adjustment.series import adjusted_series
from indices.publish.harmonization import HarmonizedSeries, Point, aggregate_group
from tests.indices.publish.adjustment.test_engine import MONTHS, generated

TOL = 1e-9


def _adjusted(country: str, festival: str, seed: int):
    values = generated(country, festival, effect=-0.02, seed=seed)
    result = adjust(
        series_key=f"M.{country}.C.N.IX", country=country, values=values, today=date(2024, 1, 15)
    )
    assert result.ok, result.findings
    return result


def test_quarters_are_means_of_adjusted_months_and_there_is_no_annual():
    result = _adjusted("VN", "tet", seed=2)
    series = adjusted_series(
        result, ref_area="VN", activity="C", statuses={}, attributes={"REF_YEAR": 2021}
    )
    keys = {s.key for s in series}
    assert keys == {
        f"{f}.VN.C.{a}.{t}" for f in "MQ" for a in "YT" for t in ("IX", "PCH_PRE", "PCH_SM")
    }
    quarterly = {
        p.period: p.value for p in next(s for s in series if s.key == "Q.VN.C.Y.IX").points
    }
    months = [result.adjusted[m] for m in MONTHS]
    np.testing.assert_allclose(
        [quarterly[m] for m in MONTHS[::3]], np.array(months).reshape(-1, 3).mean(axis=1), atol=TOL
    )
    assert {s.attributes["COMPILING_ORG"] for s in series} == {"MKG_SEC"}


def test_regional_y_is_the_chain_linked_aggregate_of_members_y():
    members = {"TH": _adjusted("TH", "songkran", seed=4), "VN": _adjusted("VN", "tet", seed=6)}
    va = {"TH": 800.0, "VN": 200.0}
    weights = {
        (c, "C", y): v * (1 + 0.05 * (y - 2014) * (c == "VN"))
        for c, v in va.items()
        for y in range(2014, 2024)
    }
    per_member = {
        c: [
            s
            for s in adjusted_series(r, ref_area=c, activity="C", statuses={}, attributes={})
            if s.freq == "M"
        ]
        for c, r in members.items()
    }
    result = aggregate_group(
        group="MKG", members=per_member, weights=weights, ref_year=2021, min_coverage_pct=75.0
    )
    got = next(s for s in result if s.key == "M.MKG.C.Y.IX")
    # numpy, apart: I_G(y0) = 100 sum w r(y0); I_G(y) = mean_G(y-1) sum w(y-1) I(y)/mean(y-1)
    grid = {
        c: np.array([r.adjusted[m] for m in MONTHS]).reshape(-1, 12) for c, r in members.items()
    }
    years = list(range(2014, 2024))

    def share(c, y):
        return weights[(c, "C", y)] / sum(weights[(k, "C", y)] for k in va)

    g = np.zeros((len(years), 12))
    g[0] = 100 * sum(share(c, 2014) * grid[c][0] / grid[c][0].mean() for c in va)
    for k in range(1, len(years)):
        g[k] = g[k - 1].mean() * sum(
            share(c, years[k] - 1) * grid[c][k] / grid[c][k - 1].mean() for c in va
        )
    g = 100 * g / g[years.index(2021)].mean()
    np.testing.assert_allclose([p.value for p in got.points], g.reshape(-1), rtol=0, atol=TOL)


def festival_left(adjusted: dict, country: str, festival: str) -> float:
    """The festival's effect left in an adjusted series: the slope of its monthly log changes
    on the changes of the festival regressor (log points per working day)."""
    calendar = np.diff(regressors(country, [(m.year, m.month) for m in MONTHS])[festival])
    changes = np.diff(np.log([adjusted[m] for m in MONTHS]))
    return float(np.polyfit(calendar, changes, 1)[0])


def test_indirect_regional_y_removes_members_festivals_better_than_direct():
    """The methodology's choice on generated data: two members with festivals that move (Tet
    between January and February, Songkran's working days in April), equal weights. Adjusting
    the aggregate directly (one calendar for the region: working days only, as no festival
    regressor can stand for five calendars) leaves the festivals' swing in the regional Y;
    aggregating the members' Y (indirect, H6) does not."""
    values = {
        "VN": generated("VN", "tet", effect=-0.04, seed=11),
        "TH": generated("TH", "songkran", effect=-0.04, seed=12),
    }
    weights = {(c, "C", y): 500.0 for c in values for y in range(2013, 2024)}

    def monthly(country: str, adjustment: str, points: dict) -> HarmonizedSeries:
        return HarmonizedSeries(
            freq="M",
            ref_area=country,
            activity="C",
            adjustment=adjustment,
            transformation="IX",
            points=tuple(Point(m, v, "A") for m, v in sorted(points.items())),
        )

    def regional(adjustment: str, per_member: dict) -> dict:
        result = aggregate_group(
            group="MKG",
            members={c: [monthly(c, adjustment, p)] for c, p in per_member.items()},
            weights=weights,
            ref_year=2021,
            min_coverage_pct=75.0,
        )
        found = next(s for s in result if s.key == f"M.MKG.C.{adjustment}.IX")
        return {p.period: p.value for p in found.points}

    members_y = {
        c: adjust(series_key=f"M.{c}.C.N.IX", country=c, values=v, today=date(2024, 1, 15))
        for c, v in values.items()
    }
    assert all(r.ok for r in members_y.values())
    indirect = regional("Y", {c: r.adjusted for c, r in members_y.items()})
    aggregate_n = regional("N", values)
    direct = adjust(
        series_key="M.MKG.C.N.IX", country="MKG", values=aggregate_n, today=date(2024, 1, 15)
    )
    assert direct.ok, direct.findings
    for festival, country in (("tet", "VN"), ("songkran", "TH")):
        left_indirect = festival_left(indirect, country, festival)
        left_direct = festival_left(direct.adjusted, country, festival)
        # Half the generated effect (-0.04, weight 1/2) would be -0.02 per working day.
        assert abs(left_indirect) < 0.004  # 2024 run: tet 0.0000, songkran -0.0014
        assert abs(left_direct) > 0.01  # 2024 run: tet -0.020, songkran -0.022
    # And no residual seasonality either way: the difference is the calendar, not the filters.
    assert direct.diagnostics["qs"]["seasonally_adjusted"]["p_value"] > 0.05


def test_y_and_t_aggregates_have_no_annual_values_whichever_release_computes_them():
    """aggregate_group is H6 for every path (a member's release, a weights release, the
    follow-up of adjustment): its Y and T aggregates stop at quarters and name the secretariat
    as compiler; N keeps its years and no COMPILING_ORG."""
    weights = {(c, "C", y): 500.0 for c in ("TH", "VN") for y in range(2013, 2024)}
    members = {
        c: [
            HarmonizedSeries(
                freq="M",
                ref_area=c,
                activity="C",
                adjustment=code,
                transformation="IX",
                points=tuple(Point(m, 100.0 + i % 7, "A") for i, m in enumerate(MONTHS)),
            )
            for code in "NYT"
        ]
        for c in ("TH", "VN")
    }
    result = aggregate_group(
        group="MKG", members=members, weights=weights, ref_year=2021, min_coverage_pct=75.0
    )
    freqs = {code: {s.freq for s in result if s.adjustment == code} for code in "NYT"}
    assert freqs == {"N": {"M", "Q", "A"}, "Y": {"M", "Q"}, "T": {"M", "Q"}}
    for series in result:
        expected = None if series.adjustment == "N" else "MKG_SEC"
        assert series.attributes.get("COMPILING_ORG") == expected, series.key
