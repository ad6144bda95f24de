"""COMMENT in the pull API: the data JSON (`comment`, only where there is one), the data CSV and
the bulk CSV (a COMMENT column), with history and changes."""

from __future__ import annotations

import csv
import io

from django.test import override_settings
from django.utils.http import urlencode

from tests.base import PersonaTestCase
from tests.indices.comments import QUOTED, REVISED, THAI, publish_commented
from tests.indices.disseminate.series.base import URLCONF


@override_settings(ROOT_URLCONF=URLCONF, IPI_API_RATE="100000/minute")
class DataCommentTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.before_revision = publish_commented()

    def get(self, path: str, **params):
        response = self.reader.client().get(path + ("?" + urlencode(params) if params else ""))
        self.assertEqual(response.status_code, 200)
        return response

    def observations(self, key: str, **params) -> list[dict]:
        (series,) = self.get(f"/api/v1/data/{key}", **params).json()["series"]
        return series["observations"]

    def csv_rows(self, response) -> list[dict]:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))

    def test_json_observations_carry_the_comment_only_where_there_is_one(self):
        observations = self.observations("M.TH.C.N.IX", startPeriod="2021-12")
        self.assertEqual(
            observations,
            [
                {"period": "2021-12", "value": 102.0, "status": "A"},
                {"period": "2022-01", "value": 110.0, "status": "A", "comment": THAI},
                {"period": "2022-02", "value": 104.5, "status": "A", "comment": REVISED},
                {"period": "2022-03", "value": 99.9, "status": "A"},
            ],
        )
        for key in ("M.TH.C.N.PCH_PRE", "M.TH.C.N.PCH_SM", "Q.TH.C.N.IX", "A.TH.C.N.IX"):
            with self.subTest(key=key):
                self.assertFalse(any("comment" in o for o in self.observations(key)))

    def test_the_data_csv_has_a_comment_column_in_utf8(self):
        response = self.get("/api/v1/data/M.TH.C.N.IX", startPeriod="2022-01", format="csv")
        self.assertIn(THAI.encode("utf-8"), response.content)
        rows = self.csv_rows(response)
        self.assertEqual(list(rows[0])[-2:], ["OBS_STATUS", "COMMENT"])
        self.assertEqual(
            [(r["TIME_PERIOD"], r["COMMENT"]) for r in rows],
            [("2022-01", THAI), ("2022-02", REVISED), ("2022-03", "")],
        )

    def test_history_shows_both_vintages_of_a_comment_only_revision(self):
        wanted = {"startPeriod": "2022-02", "endPeriod": "2022-02", "includeHistory": "true"}
        observations = self.observations("M.TH.C.N.IX", **wanted)
        self.assertEqual(
            [(o["value"], o["comment"], o["valid_to"] is None) for o in observations],
            [(104.5, QUOTED, False), (104.5, REVISED, True)],
        )
        rows = self.csv_rows(self.get("/api/v1/data/M.TH.C.N.IX", format="csv", **wanted))
        self.assertEqual(
            [(r["COMMENT"], r["VALID_TO"] == "") for r in rows], [(QUOTED, False), (REVISED, True)]
        )
        as_of = self.observations("M.TH.C.N.IX", startPeriod="2022-02", asOf=self.before_revision)
        self.assertEqual(as_of[0]["comment"], QUOTED)

    def test_changes_since_carry_the_new_comment(self):
        since = self.before_revision.isoformat()
        observations = self.observations("M.TH.C.N.IX", updatedAfter=since)
        self.assertEqual(
            [(o["period"], o["action"], o["comment"]) for o in observations],
            [("2022-02", "updated", REVISED)],
        )
        # Nothing derived changed: the value did not move.
        response = self.reader.client().get(
            "/api/v1/data/M.TH.C.N.PCH_PRE?" + urlencode({"updatedAfter": since})
        )
        self.assertEqual(response.status_code, 404)

    def test_the_bulk_csv_has_the_same_comment_column_as_the_data_csv(self):
        bulk = self.get("/api/v1/bulk/data.csv", key="M.TH.C.N.IX")
        data = self.get("/api/v1/data/M.TH.C.N.IX", format="csv")
        self.assertEqual(b"".join(bulk.streaming_content), data.content)
        rows = {r["TIME_PERIOD"]: r["COMMENT"] for r in self.csv_rows(data)}
        self.assertEqual((rows["2022-01"], rows["2022-02"], rows["2022-03"]), (THAI, REVISED, ""))
        everything = self.csv_rows(self.get("/api/v1/bulk/data.csv"))
        self.assertEqual(
            {(r["KEY"], r["TIME_PERIOD"]) for r in everything if r["COMMENT"]},
            {("M.TH.C.N.IX", "2022-01"), ("M.TH.C.N.IX", "2022-02")},
        )
