"""Answers from the process's memory (indices/disseminate/local_answers.py, told of changes by
ipi_exchange/local_caches.py): a repeated request makes no Redis round trip, yet a revocation,
a publication, an address over its failed-token budget and the rate limit act on the very next
request; the counts taken in memory reach Redis's counter."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.core.cache import cache
from django.test import override_settings

from countries.models import Agency
from countries.services import credential_revoke
from indices.disseminate.answers import _SERVE
from ipi_exchange import local_caches
from ipi_exchange.http.throttling import redis_client, redis_script
from tests.base import make_persona
from tests.indices.disseminate.series.base import ReadApiTestCase
from tests.indices.publishing import monthly_csv, publish
from tests.workers import wait_until

URL = "/api/v1/data/M.TH.C.N.IX"


def script_runs(during: Callable[[], object]) -> int:
    """How many times Redis ran the read path's script while `during` ran (its MONITOR)."""
    serve = redis_script("answer-serve", _SERVE).sha
    return sum(serve in command for command in redis_commands(during))


def redis_commands(during: Callable[[], object]) -> list[str]:
    """The commands Redis received while `during` ran (its MONITOR)."""
    seen: list[str] = []
    ready = threading.Event()

    def watch() -> None:
        with redis_client().monitor() as monitor:
            ready.set()
            for command in monitor.listen():
                if "local-caches-end" in command["command"]:
                    return
                seen.append(command["command"])

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    ready.wait(5)
    try:
        during()
    finally:
        redis_client().get("local-caches-end")
        watcher.join(5)
    return seen


def remembered(client, url: str = URL, **headers) -> None:
    """Requests until this process answers `url` from memory (the listener subscribed, the
    script's answer kept)."""
    assert wait_until(local_caches.listening, timeout=10)

    def from_memory() -> bool:
        client.get(url, **headers)
        return script_runs(lambda: client.get(url, **headers)) == 0

    assert wait_until(from_memory, timeout=10)


def settled(counter: str) -> int:
    """The counter once the counts this process took so far have reached it."""
    values = [int(redis_client().get(counter)), -1]
    while values[-1] != values[-2]:
        time.sleep(0.3)
        values.append(int(redis_client().get(counter)))
    return values[-1]


@override_settings(IPI_CREDENTIAL_TOUCH_SECONDS=60)
class LocalAnswerTests(ReadApiTestCase):
    def test_a_repeated_request_makes_no_redis_round_trip(self):
        client = self.reader.client()
        remembered(client)
        # The six requests counted below must fall in one rate-limit window: a new window
        # would start the count again (seen once in CI).
        left = int(client.get(URL)["RateLimit-Reset"])
        if left < 5:
            time.sleep(left + 1)
            remembered(client)
        first = client.get(URL)
        self.assertEqual(script_runs(lambda: [client.get(URL) for _ in range(5)]), 0)
        again = client.get(URL)
        self.assertEqual(again.content, first.content)
        self.assertEqual(int(again["RateLimit-Remaining"]), int(first["RateLimit-Remaining"]) - 6)

    def test_a_revalidation_from_memory_is_the_same_304(self):
        client = self.reader.client()
        etag = client.get(URL)["ETag"]
        before = client.get(URL, HTTP_IF_NONE_MATCH=etag)
        remembered(client, HTTP_IF_NONE_MATCH=etag)
        after = client.get(URL, HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(after.status_code, 304)
        varying = {"RateLimit-Remaining"}
        self.assertEqual(
            {k: v for k, v in after.items() if k not in varying},
            {k: v for k, v in before.items() if k not in varying},
        )

    def test_a_revoked_token_is_refused_on_its_next_request(self):
        persona = make_persona(self.reader.agency, scopes=("read",), name="revoked-in-memory")
        client = persona.client()
        remembered(client)
        credential_revoke(credential=persona.credential)
        self.assertProblem(client.get(URL), 401, "authentication_failed")

    def test_a_publication_changes_the_answer_on_the_next_request(self):
        client = self.reader.client()
        remembered(client)
        publish(monthly_csv("TH", "C", {"2022-04": 123.25}))
        observations = client.get(URL).json()["series"][0]["observations"]
        self.assertEqual(observations[-1]["value"], 123.25)

    @override_settings(IPI_AUTH_FAILURES_PER_WINDOW=3)
    def test_an_address_over_its_failed_token_budget_is_refused_at_once(self):
        redis_client().delete(f"{cache.key_prefix}:authfail:127.0.0.1")
        client = self.reader.client()
        remembered(client)
        for _ in range(3):
            self.client.get(URL, HTTP_AUTHORIZATION="Bearer ipi_wrong")
        refused = client.get(URL)
        redis_client().delete(f"{cache.key_prefix}:authfail:127.0.0.1")
        self.assertProblem(refused, 429, "too_many_failed_attempts")

    @override_settings(IPI_API_RATE="8/minute")
    def test_the_limit_refuses_exactly_with_counts_taken_in_memory(self):
        persona = make_persona(Agency.objects.get(pk="VN_NSO"), scopes=("read",), name="eight")
        counter = f"{cache.key_prefix}:throttle:read:credential:{persona.credential.pk}"
        redis_client().delete(counter)
        client = persona.client()
        assert wait_until(local_caches.listening, timeout=10)
        statuses = [client.get(URL).status_code for _ in range(8)]
        self.assertEqual(statuses, [200] * 8)
        refused = client.get(URL)
        self.assertProblem(refused, 429, "throttled")
        self.assertEqual(int(redis_client().get(counter)), 9)

    def test_counts_taken_in_memory_reach_redis(self):
        persona = make_persona(Agency.objects.get(pk="VN_NSO"), scopes=("read",), name="counts")
        counter = f"{cache.key_prefix}:throttle:read:credential:{persona.credential.pk}"
        redis_client().delete(counter)
        client = persona.client()
        remembered(client)
        already = settled(counter)
        for _ in range(10):
            client.get(URL)
        assert wait_until(lambda: int(redis_client().get(counter)) == already + 10, timeout=5)
