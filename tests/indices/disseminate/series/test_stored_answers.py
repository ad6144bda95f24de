"""Stored answers of the data endpoints (indices/disseminate/answers.py): the same bytes and
headers as the view's, without SQL; never stale (a publication, an embargo instant, a revoked
token, a deactivated agency); the rate limit still counted; each SDMX message its own ID."""

import re
from datetime import timedelta
from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from countries.models import Agency
from countries.services import credential_revoke
from indices.disseminate.sdmx import media
from indices.publish.releases import releases_publish_due
from tests.base import make_persona
from tests.indices.disseminate.series.base import ReadApiTestCase
from tests.indices.publishing import accept, monthly_csv, publish

URLS = [
    ("/api/v1/data/M.TH.C.N.IX", {}),
    ("/api/v1/data/M.TH.C.N.IX?format=csv", {}),
    ("/api/v1/data/M.TH+VN.C.N.IX?startPeriod=2021-06", {}),
    ("/api/v1/data/all", {"HTTP_ACCEPT": "text/csv"}),
    ("/sdmx/data/DF_IPI/M.TH.C.N.IX", {"HTTP_ACCEPT": media.GENERIC}),
    ("/sdmx/data/DF_IPI/M.TH.C.N.IX", {"HTTP_ACCEPT": media.STRUCTURE_SPECIFIC}),
    ("/sdmx/data/DF_IPI/M.TH.C.N.IX", {"HTTP_ACCEPT": media.JSON}),
    ("/sdmx/data/DF_IPI/M.TH.C.N.IX", {"HTTP_ACCEPT": media.CSV}),
]
# What differs between two SDMX messages of the same data: their ID and preparation time.
MESSAGE = re.compile(rb"IPI[0-9A-F]{16}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# RateLimit-Remaining counts down; a stored SDMX message is sent whole, with its length,
# where the view streams it.
VARYING = {"ratelimit-remaining", "content-length"}
# RateLimit-Reset counts the seconds left in the window: one may end between two requests.
TICKING = {"ratelimit-reset"}


def answer(response) -> tuple:
    headers = {
        name: "<seconds>" if name.lower() in TICKING else value
        for name, value in response.items()
        if name.lower() not in VARYING
    }
    return response.status_code, headers, MESSAGE.sub(b"<m>", body_of(response))


# The test settings record every use of a credential (0), which keeps it out of Redis.
@override_settings(IPI_CREDENTIAL_TOUCH_SECONDS=60)
class StoredAnswerTests(ReadApiTestCase):
    def test_a_repeated_request_gets_the_same_answer_without_sql(self):
        client = self.reader.client()
        for url, headers in URLS:
            with self.subTest(url=url, headers=headers):
                first = client.get(url, **headers)
                self.assertEqual(first.status_code, 200)
                with CaptureQueriesContext(connection) as queries:
                    again = client.get(url, **headers)
                self.assertEqual([q["sql"] for q in queries], [])
                self.assertEqual(answer(again), answer(first))

    def test_a_revalidation_is_a_304_without_sql_with_the_views_headers(self):
        client = self.reader.client()
        for url, headers in URLS:
            with self.subTest(url=url, headers=headers):
                etag = client.get(url, **headers)["ETag"]
                # The view's own 304: the first revalidation is computed, the next stored.
                with override_settings(IPI_ANSWER_STORE=False):
                    computed = client.get(url, HTTP_IF_NONE_MATCH=etag, **headers)
                with CaptureQueriesContext(connection) as queries:
                    stored = client.get(url, HTTP_IF_NONE_MATCH=etag, **headers)
                self.assertEqual([q["sql"] for q in queries], [])
                self.assertEqual(stored.status_code, 304)
                self.assertEqual(answer(stored), answer(computed))
                changed = client.get(url, HTTP_IF_NONE_MATCH='"other"', **headers)
                self.assertEqual(changed.status_code, 200)

    def test_each_sdmx_message_has_its_own_id(self):
        client = self.reader.client()
        url, headers = URLS[4]
        ids = set()
        for _ in range(3):
            body = body_of(client.get(url, **headers))
            ids.add(re.search(rb"<mes:ID>(IPI[0-9A-F]{16})</mes:ID>", body).group(1))
        self.assertEqual(len(ids), 3)

    def test_a_publication_changes_the_answer_at_once(self):
        client = self.reader.client()
        url = "/api/v1/data/M.TH.C.N.IX?format=csv"
        before = client.get(url)
        client.get(url)  # stored
        publish(monthly_csv("TH", "C", {"2022-03": 150.5}))
        after = client.get(url)
        self.assertNotEqual(after["ETag"], before["ETag"])
        self.assertIn(b"2022-03,150.50", after.content)
        self.assertNotIn(b"2022-03,150.50", before.content)

    def test_an_answer_is_not_kept_past_the_instant_a_release_falls_due(self):
        client = self.reader.client()
        url = "/api/v1/data/M.TH.C.N.IX"
        release_at = timezone.now() + timedelta(hours=2)
        accept(monthly_csv("TH", "C", {"2022-03": 150.5}), release_at=release_at)
        client.get(url)
        client.get(url)  # stored, until release_at
        later = (release_at + timedelta(seconds=1)).timestamp()
        clock = mock.patch("indices.disseminate.answers.time.time", return_value=later)
        with clock, CaptureQueriesContext(connection) as queries:
            client.get(url)
        self.assertTrue(any("publishedobservation" in q["sql"] for q in queries))
        releases_publish_due(now=release_at + timedelta(seconds=1))
        self.assertEqual(client.get(url).json()["series"][0]["observations"][-1]["value"], 150.5)

    def test_the_rate_limit_counts_stored_answers(self):
        client = self.reader.client()
        url = "/api/v1/data/M.TH.C.N.IX"
        remaining = [int(client.get(url)["RateLimit-Remaining"]) for _ in range(3)]
        self.assertEqual(remaining, [remaining[0], remaining[0] - 1, remaining[0] - 2])

    def test_a_refusal_made_before_counting_stays_uncounted(self):
        client = self.reader.client()
        url = "/api/v1/data/M.TH.C.N.IX"
        client.get(url)
        remaining = int(client.get(url)["RateLimit-Remaining"])
        self.assertEqual(client.get(url + "?format=xml").status_code, 400)
        self.assertEqual(client.get(url, HTTP_ACCEPT="image/png").status_code, 406)
        self.assertEqual(int(client.get(url)["RateLimit-Remaining"]), remaining - 1)

    @override_settings(IPI_API_RATE="2/minute")
    def test_over_the_limit_a_stored_answer_is_refused(self):
        persona = make_persona(Agency.objects.get(pk="VN_NSO"), scopes=("read",), name="two")
        counter = f"{cache.key_prefix}:throttle:read:credential:{persona.credential.pk}"
        cache._cache.get_client(write=True).delete(counter)  # left by an earlier run
        client = persona.client()
        url = "/api/v1/data/M.TH.C.N.IX"
        self.assertEqual([client.get(url).status_code for _ in range(2)], [200, 200])
        refused = client.get(url)
        self.assertProblem(refused, 429, "throttled")
        self.assertIn("Retry-After", refused)


@override_settings(IPI_CREDENTIAL_TOUCH_SECONDS=60)
class StoredAnswerCredentialTests(ReadApiTestCase):
    URL = "/api/v1/data/M.TH.C.N.IX"

    def test_a_revoked_token_is_refused_on_its_next_request(self):
        persona = make_persona(self.reader.agency, scopes=("read",), name="soon-revoked")
        client = persona.client()
        self.assertEqual([client.get(self.URL).status_code for _ in range(2)], [200, 200])
        credential_revoke(credential=persona.credential)
        self.assertProblem(client.get(self.URL), 401, "authentication_failed")

    def test_a_token_of_a_deactivated_agency_is_refused_on_its_next_request(self):
        persona = make_persona(self.reader.agency, scopes=("read",), name="agency-off")
        client = persona.client()
        self.assertEqual([client.get(self.URL).status_code for _ in range(2)], [200, 200])
        persona.agency.is_active = False
        persona.agency.save()
        self.assertProblem(client.get(self.URL), 401)

    def test_a_token_without_the_read_scope_is_refused_as_before(self):
        persona = make_persona(Agency.objects.get(pk="TH_OIE"), scopes=("submit",), name="up")
        self.reader.client().get(self.URL)
        self.reader.client().get(self.URL)  # stored
        self.assertProblem(persona.client().get(self.URL), 403)

    def test_a_wrong_token_is_refused(self):
        self.reader.client().get(self.URL)
        response = self.client.get(self.URL, HTTP_AUTHORIZATION="Bearer ipi_not-a-token")
        self.assertProblem(response, 401, "authentication_failed")
