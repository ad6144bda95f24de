"""GET /api/v1/data/{key}: key syntax, periods, asOf, includeHistory, updatedAfter,
lastNObservations, rounding, JSON and CSV shapes (pinned), 404 and 400 problems."""

import csv
import io
import json
from pathlib import Path

from django.utils.http import urlencode

from tests.indices.disseminate.series.base import ReadApiTestCase, normalized
from tests.indices.publishing import publish

RESPONSES = Path(__file__).parent / "responses"
URL = "/api/v1/data/"


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


class DataTests(ReadApiTestCase):
    def get(self, key: str, **params):
        return self.reader.client().get(URL + key + ("?" + urlencode(params) if params else ""))

    def data(self, key: str, **params) -> dict:
        response = self.get(key, **params)
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def periods(self, key: str, **params) -> list[str]:
        return [o["period"] for o in self.data(key, **params)["series"][0]["observations"]]

    def test_the_json_shape_is_pinned(self):
        body = normalized(self.data("M.TH.C.N.IX", startPeriod="2021-11"))
        expected = json.loads((RESPONSES / "data_M.TH.C.N.IX.json").read_text())
        self.assertEqual(body, expected)

    def test_the_csv_shape_is_pinned_and_accept_text_csv_works_too(self):
        response = self.get("M.TH.C.N.IX", startPeriod="2021-11", format="csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(
            response.content.decode(), (RESPONSES / "data_M.TH.C.N.IX.csv").read_text()
        )
        negotiated = self.reader.client().get(
            URL + "M.TH.C.N.IX?startPeriod=2021-11", HTTP_ACCEPT="text/csv"
        )
        self.assertEqual(negotiated.content, response.content)

    def test_key_syntax_or_empty_positions_and_all(self):
        keys = lambda key: [s["key"] for s in self.data(key)["series"]]  # noqa: E731
        self.assertEqual(keys("M.TH+VN.C.N.IX"), ["M.TH.C.N.IX", "M.VN.C.N.IX"])
        self.assertEqual(keys("M..C.N.IX"), ["M.TH.C.N.IX", "M.VN.C.N.IX"])
        self.assertEqual(keys("..C.N.PCH_SM"), ["M.TH.C.N.PCH_SM", "Q.TH.C.N.PCH_SM"])
        self.assertEqual(len(keys("all")), 12)
        self.assertEqual(len(keys("")), 12)
        self.assertEqual(keys("m.th.c.n.ix"), ["M.TH.C.N.IX"])

    def test_start_and_end_period_in_any_frequency(self):
        self.assertEqual(
            self.periods("M.TH.C.N.IX", startPeriod="2021-Q4", endPeriod="2022-01"),
            ["2021-10", "2021-11", "2021-12", "2022-01"],
        )
        self.assertEqual(self.periods("Q.TH.C.N.IX", startPeriod="2022"), ["2022-Q1"])
        self.assertEqual(self.periods("A.TH.C.N.IX", endPeriod="2021-06"), ["2021"])
        self.assertEqual(len(self.periods("M.TH.C.N.IX", endPeriod="2021")), 12)

    def test_last_n_observations_per_series(self):
        body = self.data("M.TH+VN.C.N.IX", lastNObservations=2)
        self.assertEqual(
            [[o["period"] for o in s["observations"]] for s in body["series"]],
            [["2022-02", "2022-03"], ["2021-11", "2021-12"]],
        )

    def test_values_are_rounded_as_published_index_2_decimals_changes_1(self):
        index = self.data("M.TH.C.N.IX", startPeriod="2022-01", endPeriod="2022-01")
        self.assertEqual(index["series"][0]["observations"][0]["value"], 110.12)
        change = self.data("M.TH.C.N.PCH_SM", startPeriod="2022-01", endPeriod="2022-01")
        # 100 * (110.123456 / 98 - 1) = 12.3709...
        self.assertEqual(change["series"][0]["observations"][0]["value"], 12.4)

    def test_as_of_shows_the_values_as_they_stood(self):
        then = self.data(
            "M.TH.C.N.IX", asOf=self.before_revision.isoformat(), startPeriod="2022-03"
        )
        self.assertEqual(then["series"][0]["observations"][0]["status"], "A")
        now = self.data("M.TH.C.N.IX", startPeriod="2022-03")
        self.assertEqual(now["series"][0]["observations"][0]["status"], "P")

    def test_include_history_gives_every_vintage_with_its_interval(self):
        history = self.data("M.TH.C.N.IX", includeHistory="true", startPeriod="2022-03")
        old, new = history["series"][0]["observations"]
        self.assertEqual((old["status"], new["status"]), ("A", "P"))
        self.assertEqual(old["valid_to"], new["valid_from"])
        self.assertIsNone(new["valid_to"])
        table = rows(
            self.get("M.TH.C.N.IX", includeHistory="true", startPeriod="2022-03", format="csv")
        )
        self.assertEqual(list(table[0])[-2:], ["VALID_FROM", "VALID_TO"])
        self.assertEqual((table[0]["VALID_TO"] != "", table[1]["VALID_TO"]), (True, ""))

    def test_updated_after_lists_changes_and_deletions(self):
        since = self.before_revision.isoformat()
        changed = self.data("M.TH.C.N.IX", updatedAfter=since)["series"][0]["observations"]
        self.assertEqual([(o["period"], o["action"]) for o in changed], [("2022-03", "updated")])
        before_delete = publish(
            b"REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,BASE_PER\nTH,C,2022-03,,2021\n",
            action="delete",
        )
        deleted = self.data("M.TH.C.N.IX", updatedAfter=before_delete.isoformat())
        observation = deleted["series"][0]["observations"][0]
        self.assertEqual(
            (observation["period"], observation["action"], observation["value"]),
            ("2022-03", "deleted", None),
        )
        table = rows(self.get("M.TH.C.N.IX", updatedAfter=before_delete.isoformat(), format="csv"))
        self.assertEqual(
            (table[0]["TIME_PERIOD"], table[0]["OBS_VALUE"], table[0]["ACTION"]),
            ("2022-03", "", "deleted"),
        )

    def test_an_unknown_key_or_no_data_is_a_404_problem(self):
        self.assertProblem(self.get("M.XX.C.N.IX"), 404, "no_series")
        self.assertProblem(self.get("M.TH.C.N.IX", startPeriod="2030"), 404, "no_data")
        self.assertProblem(self.get("M.TH.C.N.IX", updatedAfter="2999-01-01T00:00:00Z"), 404)

    def test_a_malformed_key_or_parameter_is_a_400_naming_the_field(self):
        cases = [
            ("M.TH.C", {}, "key", "invalid_key"),
            ("M.T;H.C.N.IX", {}, "key", "invalid_key"),
            ("M.TH.C.N.IX", {"startPeriod": "2022-13"}, "startPeriod", "invalid_period"),
            ("M.TH.C.N.IX", {"endPeriod": "22"}, "endPeriod", "invalid_period"),
            ("M.TH.C.N.IX", {"startPeriod": "2022", "endPeriod": "2021"}, "endPeriod", None),
            ("M.TH.C.N.IX", {"asOf": "yesterday"}, "asOf", "invalid_instant"),
            ("M.TH.C.N.IX", {"updatedAfter": "2024-02-30"}, "updatedAfter", "invalid_instant"),
            ("M.TH.C.N.IX", {"includeHistory": "maybe"}, "includeHistory", "invalid_boolean"),
            ("M.TH.C.N.IX", {"lastNObservations": "0"}, "lastNObservations", "invalid_number"),
            # A digit to str.isdigit, not to int: a 400, never a 500 (a digit of another
            # script, refused as such for every parameter: tests/test_query_parameters.py).
            ("M.TH.C.N.IX", {"lastNObservations": "\u00b2"}, "lastNObservations", "invalid_digits"),
            ("M.TH.C.N.IX", {"lastNObservations": "9" * 30}, "lastNObservations", "invalid_number"),
            (
                "M.TH.C.N.IX",
                {"asOf": "2024-01-01", "includeHistory": "true"},
                "includeHistory",
                "conflicting_parameters",
            ),
            ("M.TH.C.N.IX", {"startperiod": "2022"}, "startperiod", "unknown_parameter"),
        ]
        for key, params, field, code in cases:
            with self.subTest(key=key, params=params):
                body = self.assertProblem(self.get(key, **params), 400)
                self.assertEqual(body["errors"][0]["field"], field)
                if code:
                    self.assertEqual(body["errors"][0]["code"], code)

    def test_an_instant_with_an_unencoded_plus_offset_is_understood(self):
        # `+07:00` typed into a URL arrives as ` 07:00`.
        response = self.reader.client().get(
            URL + "M.TH.C.N.IX?asOf=2999-01-01T07:00:00+07:00&startPeriod=2022-03"
        )
        self.assertEqual(response.status_code, 200, response.content)
