"""SDMX data queries over HTTP: route and flowRef forms, keys, parameters, formats."""

from __future__ import annotations

import csv
import io
import json

from indices.disseminate.sdmx.xmlutil import NS
from tests.indices.disseminate.sdmx.base import (
    CSV,
    GENERIC,
    JSON,
    STRUCTURE_SPECIFIC,
    SdmxTestCase,
)

TH = "M.TH.C.N.IX"


class SdmxDataRoutesTests(SdmxTestCase):
    def test_every_flow_ref_form_and_trailing_slash_reaches_the_same_data(self):
        for flow in (
            "DF_IPI",
            "MKG,DF_IPI",
            "MKG,DF_IPI,1.0",
            "MKG%2CDF_IPI%2C1.0",
            "all,DF_IPI,latest",
        ):
            for suffix in ("", "/"):
                with self.subTest(flow=flow, suffix=suffix):
                    root = self.xml(f"/sdmx/data/{flow}/{TH}{suffix}?startPeriod=2022")
                    self.assertEqual(
                        self.series_values(root)[TH], {"2022-01": "110.00", "2022-02": "115.00"}
                    )

    def test_without_key_all_or_a_provider_every_series_is_returned(self):
        for url in (
            "/sdmx/data/DF_IPI",
            "/sdmx/data/DF_IPI/",
            "/sdmx/data/DF_IPI/all",
            "/sdmx/data/DF_IPI/all/all",
            f"/sdmx/data/DF_IPI/{TH}/MKG",
        ):
            with self.subTest(url=url):
                self.assertIn(TH, self.series_values(self.xml(url)))
        everything = self.series_values(self.xml("/sdmx/data/DF_IPI/all"))
        self.assertIn("M.VN.C.N.IX", everything)
        self.assertIn("A.TH.C.N.IX", everything)

    def test_keys_with_several_codes_and_empty_positions(self):
        for key in ("M.TH+VN.C.N.IX", "M.TH%2BVN.C.N.IX", "M..C.N.IX", "M.TH+VN..N.IX"):
            with self.subTest(key=key):
                keys = set(self.series_values(self.xml(f"/sdmx/data/DF_IPI/{key}")))
                self.assertEqual(keys, {TH, "M.VN.C.N.IX"})
        keys = set(self.series_values(self.xml("/sdmx/data/DF_IPI/M.TH.C.N.")))
        self.assertEqual(keys, {TH, "M.TH.C.N.PCH_PRE", "M.TH.C.N.PCH_SM"})

    def test_start_and_end_periods_in_every_form(self):
        cases = {
            "startPeriod=2022": ["2022-01", "2022-02"],
            "startPeriod=2022-02": ["2022-02"],
            "startPeriod=2022-Q1&endPeriod=2022-Q1": ["2022-01", "2022-02"],
            "startPeriod=2021-12-01&endPeriod=2022-01-31": ["2021-12", "2022-01"],
            "endPeriod=2021-02": ["2021-01", "2021-02"],
            "startPeriod=2021-11&endPeriod=2021": ["2021-11", "2021-12"],
        }
        for params, periods in cases.items():
            with self.subTest(params=params):
                values = self.series_values(self.xml(f"/sdmx/data/DF_IPI/{TH}?{params}"))
                self.assertEqual(list(values[TH]), periods)

    def test_first_and_last_n_observations(self):
        values = self.series_values(self.xml(f"/sdmx/data/DF_IPI/{TH}?firstNObservations=2"))
        self.assertEqual(list(values[TH]), ["2021-01", "2021-02"])
        values = self.series_values(self.xml(f"/sdmx/data/DF_IPI/{TH}?lastNObservations=1"))
        self.assertEqual(list(values[TH]), ["2022-02"])
        url = f"/sdmx/data/DF_IPI/{TH}?firstNObservations=1&lastNObservations=1"
        self.assertEqual(list(self.series_values(self.xml(url))[TH]), ["2021-01", "2022-02"])

    def test_values_are_rounded_levels_two_decimals_growth_rates_one(self):
        values = self.series_values(self.xml("/sdmx/data/DF_IPI/M.TH.C.N.?startPeriod=2022-01"))
        self.assertEqual(values[TH]["2022-01"], "110.00")
        self.assertEqual(values["M.TH.C.N.PCH_SM"]["2022-01"], f"{100 * (110 / 98 - 1):.1f}")
        self.assertEqual(values["M.TH.C.N.PCH_PRE"]["2022-02"], f"{100 * (115 / 110 - 1):.1f}")

    def test_series_and_observation_attributes(self):
        root = self.xml(f"/sdmx/data/DF_IPI/{TH}?startPeriod=2022")
        series = root.find(".//gen:Series", NS)
        attributes = {v.get("id"): v.get("value") for v in series.find("gen:Attributes", NS)}
        self.assertEqual(attributes["UNIT_MEASURE"], "IX")
        self.assertEqual(attributes["UNIT_MULT"], "0")
        self.assertEqual(attributes["DECIMALS"], "2")
        self.assertEqual(attributes["REF_YEAR"], "2021")
        self.assertEqual(attributes["COMPILING_ORG"], "TH_OIE")
        obs = series.find("gen:Obs/gen:Attributes/gen:Value", NS)
        self.assertEqual((obs.get("id"), obs.get("value")), ("OBS_STATUS", "A"))

    def test_detail_levels(self):
        url = f"/sdmx/data/DF_IPI/{TH}?detail="
        dataonly = self.xml(url + "dataonly")
        self.assertIsNone(dataonly.find(".//gen:Attributes", NS))
        self.assertEqual(len(dataonly.findall(".//gen:Obs", NS)), 14)
        keys_only = self.xml(url + "serieskeysonly")
        self.assertIsNone(keys_only.find(".//gen:Obs", NS))
        self.assertIsNone(keys_only.find(".//gen:Attributes", NS))
        self.assertIsNotNone(keys_only.find(".//gen:SeriesKey", NS))
        nodata = self.xml(url + "nodata")
        self.assertIsNone(nodata.find(".//gen:Obs", NS))
        self.assertIsNotNone(nodata.find(".//gen:Series/gen:Attributes", NS))

    def test_all_dimensions_at_observation(self):
        root = self.xml(f"/sdmx/data/DF_IPI/{TH}?dimensionAtObservation=AllDimensions")
        header = root.find("mes:Header/mes:Structure", NS)
        self.assertEqual(header.get("dimensionAtObservation"), "AllDimensions")
        self.assertIsNone(root.find(".//gen:Series", NS))
        obs = root.find("mes:DataSet/gen:Obs", NS)
        key = {v.get("id"): v.get("value") for v in obs.find("gen:ObsKey", NS)}
        self.assertEqual(key["REF_AREA"], "TH")
        self.assertEqual(key["TIME_PERIOD"], "2021-01")

    def test_formats_by_accept_header(self):
        url = f"/sdmx/data/DF_IPI/{TH}?startPeriod=2022"
        for accept, content_type in (
            ("*/*", GENERIC),
            ("application/xml", GENERIC),
            (GENERIC, GENERIC),
            (STRUCTURE_SPECIFIC, STRUCTURE_SPECIFIC),
            (JSON, JSON),
            ("text/csv", CSV),
            (CSV, CSV),
            ("application/pdf;q=1, text/csv;q=0.5", CSV),
        ):
            with self.subTest(accept=accept):
                response = self.get(url, accept)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response["Content-Type"].startswith(content_type))

    def test_structure_specific_data(self):
        root = self.xml(f"/sdmx/data/DF_IPI/{TH}?startPeriod=2022", STRUCTURE_SPECIFIC)
        series = root.find(".//Series")
        self.assertEqual(series.get("REF_AREA"), "TH")
        self.assertEqual(series.get("UNIT_MEASURE"), "IX")
        observations = [(o.get("TIME_PERIOD"), o.get("OBS_VALUE")) for o in series]
        self.assertEqual(observations, [("2022-01", "110.00"), ("2022-02", "115.00")])

    def test_sdmx_json(self):
        message = json.loads(self.ok(f"/sdmx/data/DF_IPI/{TH}?startPeriod=2022", JSON))
        structure = message["structure"]
        self.assertEqual(
            [d["id"] for d in structure["dimensions"]["series"]][:2], ["FREQ", "REF_AREA"]
        )
        times = [v["id"] for v in structure["dimensions"]["observation"][0]["values"]]
        series = message["dataSets"][0]["series"]["0:0:0:0:0"]
        values = {times[int(i)]: obs[0] for i, obs in series["observations"].items()}
        self.assertEqual(values, {"2022-01": 110.0, "2022-02": 115.0})

    def test_sdmx_csv(self):
        text = self.ok(f"/sdmx/data/DF_IPI/{TH}?startPeriod=2022", "text/csv").decode()
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(rows[0]["DATAFLOW"], "MKG:DF_IPI(1.0)")
        self.assertEqual(
            [(r["TIME_PERIOD"], r["OBS_VALUE"]) for r in rows],
            [("2022-01", "110.00"), ("2022-02", "115.00")],
        )
        self.assertEqual(rows[0]["OBS_STATUS"], "A")
        self.assertEqual(rows[0]["UNIT_MEASURE"], "IX")


class SdmxDataVintagesTests(SdmxTestCase):
    def test_updated_after_lists_revisions_and_withdrawals_as_a_delete_data_set(self):
        instant = self.before_changes.isoformat().replace("+", "%2B")
        root = self.xml(f"/sdmx/data/DF_IPI/{TH}?updatedAfter={instant}")
        data_sets = {d.get("action"): d for d in root.findall("mes:DataSet", NS)}
        self.assertEqual(set(data_sets), {"Replace", "Delete"})
        deleted = data_sets["Delete"].find(".//gen:Obs", NS)
        self.assertEqual(deleted.find("gen:ObsDimension", NS).get("value"), "2022-03")
        self.assertIsNone(deleted.find("gen:ObsValue", NS))
        replaced = data_sets["Replace"].findall(".//gen:Obs", NS)
        self.assertEqual(
            [
                (
                    o.find("gen:ObsDimension", NS).get("value"),
                    o.find("gen:ObsValue", NS).get("value"),
                )
                for o in replaced
            ],
            [("2022-02", "115.00")],
        )
        # An unencoded "+hh:mm" offset arrives as a space and is still understood.
        unencoded = self.before_changes.isoformat()
        self.ok(f"/sdmx/data/DF_IPI/{TH}?updatedAfter={unencoded}")

    def test_updated_after_in_csv_and_json_marks_deletions(self):
        instant = self.before_changes.isoformat().replace("+", "%2B")
        text = self.ok(f"/sdmx/data/DF_IPI/{TH}?updatedAfter={instant}", "text/csv").decode()
        rows = {(r["TIME_PERIOD"], r["ACTION"]) for r in csv.DictReader(io.StringIO(text))}
        self.assertEqual(rows, {("2022-02", "I"), ("2022-03", "D")})
        message = json.loads(self.ok(f"/sdmx/data/DF_IPI/{TH}?updatedAfter={instant}", JSON))
        self.assertEqual([d["action"] for d in message["dataSets"]], ["Replace", "Delete"])

    def test_nothing_changed_since_now_is_not_found(self):
        instant = "2999-01-01T00:00:00Z"
        self.assertSdmxError(self.get(f"/sdmx/data/DF_IPI/{TH}?updatedAfter={instant}"), 404, 100)

    def test_include_history_gives_one_data_set_per_vintage(self):
        root = self.xml(f"/sdmx/data/DF_IPI/{TH}?includeHistory=true&startPeriod=2022-02")
        vintages = [
            (
                d.get("validFromDate") is not None,
                d.get("validToDate") is not None,
                self.series_values_of(d),
            )
            for d in root.findall("mes:DataSet", NS)
        ]
        self.assertIn((True, True, {"2022-02": "111.23"}), vintages)  # first value, revised
        self.assertIn((True, True, {"2022-03": "112.50"}), vintages)  # withdrawn
        self.assertIn((True, False, {"2022-02": "115.00"}), vintages)  # current
        text = self.ok(
            f"/sdmx/data/DF_IPI/{TH}?includeHistory=true&startPeriod=2022-02", "text/csv"
        )
        rows = list(csv.DictReader(io.StringIO(text.decode())))
        self.assertEqual(len(rows), 3)
        self.assertTrue(all(r["VALID_FROM"] for r in rows))

    def series_values_of(self, data_set) -> dict[str, str]:
        return {
            o.find("gen:ObsDimension", NS).get("value"): o.find("gen:ObsValue", NS).get("value")
            for o in data_set.iter(f"{{{NS['gen']}}}Obs")
        }

    def test_as_of_gives_values_as_they_stood(self):
        instant = self.before_revision.isoformat().replace("+", "%2B")
        values = self.series_values(
            self.xml(f"/sdmx/data/DF_IPI/{TH}?asOf={instant}&startPeriod=2022")
        )
        self.assertEqual(values[TH], {"2022-01": "110.00", "2022-02": "111.23"})
        instant = self.before_changes.isoformat().replace("+", "%2B")
        values = self.series_values(
            self.xml(f"/sdmx/data/DF_IPI/{TH}?asOf={instant}&startPeriod=2022")
        )
        self.assertEqual(
            values[TH], {"2022-01": "110.00", "2022-02": "111.23", "2022-03": "112.50"}
        )
        self.assertSdmxError(self.get(f"/sdmx/data/DF_IPI/{TH}?asOf=2000-01-01"), 404, 100)

    def test_instants_are_utc_with_z_in_every_format_like_the_rest_api(self):
        url = f"/sdmx/data/DF_IPI/{TH}?includeHistory=true&startPeriod=2022-02"
        z = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"
        for accept_header in (GENERIC, STRUCTURE_SPECIFIC):
            with self.subTest(accept=accept_header):
                root = self.xml(url, accept_header)
                self.assertRegex(root.find("mes:Header/mes:Prepared", NS).text, z)
                ss = f"{{{NS['ss']}}}"
                instants = [
                    value
                    for data_set in root.findall("mes:DataSet", NS)
                    for name in ("validFromDate", "validToDate", f"{ss}validFromDate")
                    if (value := data_set.get(name)) is not None
                ]
                self.assertGreaterEqual(len(instants), 3)
                for value in instants:
                    self.assertRegex(value, z)
        message = json.loads(self.ok(url, JSON))
        self.assertRegex(message["header"]["prepared"], z)
        for data_set in message["dataSets"]:
            self.assertRegex(data_set["validFrom"], z)
        rows = list(csv.DictReader(io.StringIO(self.ok(url, CSV).decode())))
        for row in rows:
            self.assertRegex(row["VALID_FROM"], z)
            self.assertRegex(row["VALID_TO"] or "2024-01-01T00:00:00Z", z)
