"""HTTP on every read endpoint: validators and 304s computed without the body, cache headers,
gzip, per-credential rate limits (429 + Retry-After), and the embargo: a scheduled release
changes no ETag, count, catalog entry or status code."""

import gzip
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from countries.models import Agency
from indices.publish.releases import releases_publish_due
from tests.base import make_persona
from tests.indices.disseminate.series.base import ReadApiTestCase
from tests.indices.publishing import accept, monthly_csv, publish, year_2021

ENDPOINTS = [
    "/api/v1/series/",
    "/api/v1/series/?ref_area=TH",
    "/api/v1/data/M.TH.C.N.IX",
    "/api/v1/data/all?format=csv",
    "/api/v1/releases/?status=published",
    "/api/v1/bulk/data.csv",
]


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class ConditionalRequestTests(ReadApiTestCase):
    def test_every_endpoint_has_validators_and_cache_headers(self):
        for url in [*ENDPOINTS, "/api/v1/releases/"]:
            with self.subTest(url=url):
                response = self.reader.client().get(url)
                self.assertEqual(response.status_code, 200)
                self.assertRegex(response["ETag"], r'^"[0-9a-f]{32}"$')
                self.assertTrue(response["Last-Modified"].endswith("GMT"))
                self.assertEqual(response["Cache-Control"], "private, no-cache")
                vary = {v.strip().lower() for v in response["Vary"].split(",")}
                self.assertLessEqual({"authorization", "accept", "accept-encoding"}, vary)

    def test_if_none_match_is_answered_304_without_reading_observations(self):
        for url in ENDPOINTS:
            with self.subTest(url=url):
                client = self.reader.client()
                etag = client.get(url)["ETag"]
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url, HTTP_IF_NONE_MATCH=f'"other", {etag}')
                self.assertEqual(response.status_code, 304)
                self.assertEqual(response.content, b"")
                self.assertEqual(response["ETag"], etag)
                self.assertEqual(response["Cache-Control"], "private, no-cache")
                touched = [q["sql"] for q in queries if "publishedobservation" in q["sql"]]
                self.assertEqual(touched, [])

    def test_if_modified_since_is_answered_304(self):
        for url in ENDPOINTS:
            with self.subTest(url=url):
                client = self.reader.client()
                last_modified = client.get(url)["Last-Modified"]
                self.assertEqual(
                    client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code, 304
                )
                self.assertEqual(
                    client.get(
                        url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT"
                    ).status_code,
                    200,
                )

    def test_the_etag_depends_on_parameters_format_and_data(self):
        client = self.reader.client()
        url = "/api/v1/data/M.TH.C.N.IX"
        json_tag = client.get(url)["ETag"]
        self.assertNotEqual(client.get(url + "?format=csv")["ETag"], json_tag)
        self.assertNotEqual(client.get(url, HTTP_ACCEPT="text/csv")["ETag"], json_tag)
        self.assertNotEqual(client.get(url + "?startPeriod=2022")["ETag"], json_tag)
        self.assertEqual(client.get(url)["ETag"], json_tag)
        vn_tag = client.get("/api/v1/data/M.VN.C.N.IX")["ETag"]
        publish(monthly_csv("TH", "C", {"2022-04": 101}))
        self.assertNotEqual(client.get(url)["ETag"], json_tag)
        self.assertEqual(client.get(url, HTTP_IF_NONE_MATCH=json_tag).status_code, 200)
        # Another country's release leaves this series' validators alone.
        self.assertEqual(client.get("/api/v1/data/M.VN.C.N.IX")["ETag"], vn_tag)

    def test_gzip_for_clients_that_accept_it_and_weak_etags_revalidate(self):
        for url in ["/api/v1/data/all", "/api/v1/series/", "/api/v1/bulk/data.csv"]:
            with self.subTest(url=url):
                client = self.reader.client()
                plain = client.get(url)
                zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
                self.assertEqual(zipped["Content-Encoding"], "gzip")
                self.assertEqual(gzip.decompress(body_of(zipped)), body_of(plain))
                self.assertEqual(zipped["ETag"], "W/" + plain["ETag"])
                again = client.get(
                    url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=zipped["ETag"]
                )
                self.assertEqual(again.status_code, 304)
                self.assertNotIn("Content-Encoding", plain)


class RateLimitTests(ReadApiTestCase):
    @override_settings(IPI_API_RATE="3/minute")
    def test_over_the_limit_is_429_with_retry_after_per_credential(self):
        persona = make_persona(Agency.objects.get(pk="VN_NSO"), scopes=("read",), name="tiny")
        counter = f"{cache.key_prefix}:throttle:read:credential:{persona.credential.pk}"
        cache._cache.get_client(write=True).delete(counter)  # left by an earlier run
        client = persona.client()
        statuses = [client.get(url).status_code for url in ENDPOINTS[:3]]
        self.assertEqual(statuses, [200, 200, 200])
        refused = client.get("/api/v1/releases/")
        body = self.assertProblem(refused, 429, "throttled")
        self.assertTrue(1 <= int(refused["Retry-After"]) <= 60, refused["Retry-After"])
        self.assertIn("Retry-After", refused)
        self.assertEqual(body["status"], 429)
        # Other credentials have their own bucket.
        self.assertEqual(self.reader.client().get(ENDPOINTS[0]).status_code, 200)

    def test_remaining_requests_are_announced(self):
        response = self.reader.client().get("/api/v1/series/")
        self.assertEqual(response["RateLimit-Limit"], "100000")
        self.assertLess(int(response["RateLimit-Remaining"]), 100000)


class EmbargoTests(ReadApiTestCase):
    URLS = [
        *ENDPOINTS,
        "/api/v1/series/?activity=B",
        "/api/v1/data/M.TH.C.N.IX?updatedAfter=2000-01-01T00:00:00Z",
        "/api/v1/data/M.TH.C.N.IX?includeHistory=true",
        "/api/v1/data/M.TH.B.N.IX",
        "/api/v1/data/M.TH..N.IX",
        "/api/v1/bulk/data.csv?ref_area=TH",
    ]

    def snapshot(self) -> dict[str, tuple]:
        client = self.reader.client()
        answers = {}
        for url in self.URLS:
            response = client.get(url)
            answers[url] = (response.status_code, response.get("ETag"), body_of(response))
        return answers

    def test_a_scheduled_release_leaves_no_trace_until_it_is_published(self):
        before = self.snapshot()
        release_at = timezone.now() + timedelta(hours=2)
        # A revision of a published series and a new activity, both embargoed.
        accept(monthly_csv("TH", "C", {"2022-03": 150}), release_at=release_at)
        accept(monthly_csv("TH", "B", year_2021()), release_at=release_at)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(before["/api/v1/data/M.TH.B.N.IX"][0], 404)
        unknown = self.reader.client().get("/api/v1/data/M.TH.Z.N.IX")
        self.assertEqual(
            before["/api/v1/data/M.TH.B.N.IX"][2].replace(b"'M.TH.B.N.IX'", b"K"),
            unknown.content.replace(b"'M.TH.Z.N.IX'", b"K"),
        )
        # The calendar announces the releases: their time and country, nothing else.
        upcoming = self.reader.client().get("/api/v1/releases/?status=scheduled").json()
        self.assertEqual(
            upcoming["results"],
            [
                {
                    "status": "scheduled",
                    "country": "TH",
                    "release_at": upcoming["results"][0]["release_at"],
                }
            ]
            * 2,
        )
        # At the release instant everything moves.
        releases_publish_due(now=release_at + timedelta(seconds=1))
        after = self.snapshot()
        for url in ["/api/v1/series/", "/api/v1/data/M.TH.C.N.IX", "/api/v1/bulk/data.csv"]:
            self.assertNotEqual(after[url][1], before[url][1], url)
        self.assertEqual(after["/api/v1/data/M.TH.B.N.IX"][0], 200)


class ReferenceEndpointRateLimitTests(ReadApiTestCase):
    @override_settings(IPI_API_RATE="3/minute")
    def test_the_api_root_standard_and_codelists_count_towards_the_same_limit(self):
        persona = make_persona(Agency.objects.get(pk="VN_NSO"), scopes=("read",), name="tiny")
        counter = f"{cache.key_prefix}:throttle:read:credential:{persona.credential.pk}"
        cache._cache.get_client(write=True).delete(counter)  # left by an earlier run
        client = persona.client()
        answers = [
            client.get(url) for url in ("/api/v1/", "/api/v1/standard/", "/api/v1/codelists/")
        ]
        self.assertEqual([a.status_code for a in answers], [200, 200, 200])
        self.assertEqual([a["RateLimit-Remaining"] for a in answers], ["2", "1", "0"])
        for url in ("/api/v1/codelists/CL_AREA/", "/api/v1/series/"):
            with self.subTest(url=url):
                refused = client.get(url)
                self.assertProblem(refused, 429, "throttled")
                self.assertTrue(1 <= int(refused["Retry-After"]) <= 60, refused["Retry-After"])
                self.assertEqual(refused["RateLimit-Remaining"], "0")

    @override_settings(IPI_API_RATE="3/minute")
    def test_submissions_agencies_and_uploads_count_too(self):
        persona = make_persona(
            Agency.objects.get(pk="VN_NSO"), scopes=("read", "submit"), name="tiny-writer"
        )
        counter = f"{cache.key_prefix}:throttle:read:credential:{persona.credential.pk}"
        cache._cache.get_client(write=True).delete(counter)  # left by an earlier run
        client = persona.client()
        answers = [
            client.get("/api/v1/submissions/"),
            client.get("/api/v1/agencies/"),
            client.post("/api/v1/submissions/", data=b"", content_type="text/csv"),
        ]
        self.assertEqual([a["RateLimit-Remaining"] for a in answers], ["2", "1", "0"])
        self.assertProblem(client.get("/api/v1/webhooks/"), 429, "throttled")
