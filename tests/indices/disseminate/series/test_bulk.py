"""GET /api/v1/bulk/data.csv: the dataflow streamed from PostgreSQL COPY, filtered, gzip-able,
in constant memory."""

import csv
import gzip
import io
import tracemalloc

from django.db import connection

from indices.publish.models import PublishedObservation
from tests.indices.disseminate.series.base import ReadApiTestCase

URL = "/api/v1/bulk/data.csv"
HEADER = (
    "KEY,FREQ,REF_AREA,ACTIVITY,ADJUSTMENT,TRANSFORMATION,TIME_PERIOD,OBS_VALUE,OBS_STATUS,COMMENT"
)


def content(response) -> bytes:
    return b"".join(response.streaming_content)


class BulkTests(ReadApiTestCase):
    def table(self, query: str = "") -> list[dict]:
        response = self.reader.client().get(URL + query)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.streaming)
        return list(csv.DictReader(io.StringIO(content(response).decode())))

    def test_every_current_observation_once_with_the_header_and_values_as_published(self):
        response = self.reader.client().get(URL)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        text = content(response).decode()
        self.assertEqual(text.splitlines()[0], HEADER)
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(len(rows), PublishedObservation.objects.filter(valid_to=None).count())
        by_key = {(r["KEY"], r["TIME_PERIOD"]): r for r in rows}
        self.assertEqual(by_key[("M.TH.C.N.IX", "2022-01")]["OBS_VALUE"], "110.12")
        self.assertEqual(by_key[("M.TH.C.N.IX", "2022-03")]["OBS_STATUS"], "P")
        self.assertEqual(by_key[("M.TH.C.N.PCH_SM", "2022-01")]["OBS_VALUE"], "12.4")
        # The same digits as the data endpoint's CSV.
        data = self.reader.client().get("/api/v1/data/M.TH.C.N.IX?format=csv").content.decode()
        bulk = "".join(line + "\n" for line in text.splitlines() if line.startswith("M.TH.C.N.IX,"))
        self.assertEqual(data.split("\n", 1)[1], bulk)

    def test_key_dimension_and_period_filters(self):
        self.assertEqual(len(self.table("?key=M.TH%2BVN.C.N.IX")), 15 + 12)
        self.assertEqual(len(self.table("?ref_area=VN&freq=Q,A")), 4 + 3 + 1)
        self.assertEqual(
            {
                r["TIME_PERIOD"]
                for r in self.table("?key=M..C.N.IX&startPeriod=2021-12&endPeriod=2022-01")
            },
            {"2021-12", "2022-01"},
        )
        self.assertEqual(self.table("?ref_area=KH"), [])

    def test_a_key_and_dimension_filters_together_or_a_bad_period_is_400(self):
        for query, field, code in (
            # The same code as /data's exclusive parameters (asOf with includeHistory).
            ("?key=M.TH.C.N.IX&freq=M", "key", "conflicting_parameters"),
            ("?startPeriod=x", "startPeriod", "invalid_period"),
        ):
            with self.subTest(query=query):
                body = self.assertProblem(self.reader.client().get(URL + query), 400)
                self.assertEqual(body["errors"][0]["field"], field)
                self.assertEqual(body["errors"][0]["code"], code)

    def test_gzip_streams_compressed_chunks(self):
        response = self.reader.client().get(URL, HTTP_ACCEPT_ENCODING="gzip")
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertTrue(response.streaming)
        self.assertEqual(gzip.decompress(content(response)).decode().splitlines()[0], HEADER)

    def test_200k_rows_stream_in_constant_memory(self):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO indices_publishedseries (series_key, freq, ref_area, activity,
                    adjustment, transformation, attributes, first_published_at, last_updated_at)
                SELECT 'M.KH.' || s::text || '.N.IX', 'M', 'KH',
                       s::text, 'N', 'IX', '{"DECIMALS": 2}', now(), now()
                FROM generate_series(10, 509) AS s
                """
            )
            cursor.execute(
                """
                INSERT INTO indices_publishedobservation (series_no, period_start,
                    time_period, value, status, release_id, valid_from)
                SELECT k.number,
                       date '1990-01-01' + make_interval(months => m),
                       to_char(date '1990-01-01' + make_interval(months => m), 'YYYY-MM'),
                       100 + random(), 'A', (SELECT min(id) FROM indices_release), now()
                FROM generate_series(10, 509) AS s
                JOIN indices_publishedseries AS k ON k.series_key = 'M.KH.' || s::text || '.N.IX'
                CROSS JOIN generate_series(0, 399) AS m
                """
            )
        response = self.reader.client().get(URL + "?ref_area=KH")
        lines = 0
        tracemalloc.start()
        try:
            for chunk in response.streaming_content:
                lines += chunk.count(b"\n")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(lines, 200_000 + 1)
        # The CSV is ~9 MB; the stream never holds more than a chunk or two of it.
        self.assertLess(peak, 3 * 2**20, f"peak {peak / 2**20:.1f} MB")
