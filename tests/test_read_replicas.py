"""Read replicas against a real PostgreSQL streaming standby of the test server (tests/standby.py):
the read-only API and SDMX are answered by the replica, writes and a clerk's own submissions by
the primary; a replica whose replay is paused behind a publication is not used until it has
caught up (the answer, its ETag and 304s follow the publication at once); a stopped replica
falls back to the primary. See ipi_exchange/replicas.py."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.db import close_old_connections, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from countries.models import Agency
from indices.validate.services import submission_validate
from ipi_exchange import replica_mark, replicas
from tests.api_clients import upload
from tests.base import make_persona
from tests.factories import ReaderAgencyFactory
from tests.indices.publishing import in_this_process, monthly_csv, publish, year_2021
from tests.standby import Standby
from tests.web.base import make_user
from tests.workers import wait_until

ALIAS = "replica_1"
DATA = "/api/v1/data/M.TH.C.N.IX"
# SDMX-CSV: the XML and JSON messages carry the instant they were prepared.
SDMX = "/sdmx/data/MKG,DF_IPI,1.0/M.TH.C.N.IX?format=csv"

# The replica's alias is one of the test's databases; a mirror of "default" (as settings.py
# declares replicas), so it is never flushed between tests: the standby replays the primary's.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, databases=["default", ALIAS]),
]


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker):
    """The standby, and the replica's alias naming it (added before the test case is set up,
    as DATABASE_REPLICA_URLS would have)."""
    with django_db_blocker.unblock():
        connection.ensure_connection()
        major = connection.pg_version // 10000
        server = Standby(dict(connection.settings_dict))
    try:
        server.start(major)
        alias_point_at(server.django_settings())
        yield server
    finally:
        alias_remove()
        server.remove()


def alias_point_at(settings_dict: dict) -> None:
    alias_remove()
    replica = {**settings_dict, "TEST": {**settings_dict.get("TEST", {}), "MIRROR": "default"}}
    django_settings.DATABASES[ALIAS] = replica
    connections.settings[ALIAS] = replica


def alias_remove() -> None:
    if ALIAS in connections.settings:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]
    django_settings.DATABASES.pop(ALIAS, None)


@pytest.fixture
def with_replica(standby, seeded, settings):
    """The router and the middleware, as settings.py installs them with replicas; no recorded
    position nor replica state left by another test."""
    settings.DATABASE_ROUTERS = ["ipi_exchange.replicas.ReplicaRouter"]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "ipi_exchange.replicas.ReplicaReadsMiddleware"]
    replica_mark.redis_client().delete(replica_mark.LSN_KEY)
    replicas._replayed.clear()
    replicas._resting_until.clear()
    return standby


@contextmanager
def primary_only():
    """The replica set aside while the block runs: the answers of today's service."""
    replicas._resting_until[ALIAS] = float("inf")
    try:
        yield
    finally:
        del replicas._resting_until[ALIAS]


def caught_up(standby: Standby) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
        primary = int(cursor.fetchone()[0])
    return standby.replayed() >= primary


def answer(client, url: str, **headers):
    """(response, queries on the replica, queries on the primary) of one GET."""
    with (
        CaptureQueriesContext(connections[ALIAS]) as on_replica,
        CaptureQueriesContext(connection) as on_primary,
    ):
        response = client.get(url, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body, [q["sql"] for q in on_replica], [q["sql"] for q in on_primary]


def data_queries(queries: list[str]) -> list[str]:
    """The queries of an answer, without the replica's replay-position check."""
    return [sql for sql in queries if "pg_last_wal_replay_lsn" not in sql]


def test_an_answer_that_reads_nothing_chooses_no_replica(with_replica, settings):
    """A kept answer (indices/disseminate/answers.py) reads no database: the replica is
    chosen at a request's first read, so it costs neither the mark's GET nor a replay check."""
    from tests.indices.disseminate.series.test_local_answers import redis_commands

    settings.IPI_CREDENTIAL_TOUCH_SECONDS = 60  # credentials kept in Redis, as in production
    standby = with_replica
    publish(monthly_csv("TH", "C", year_2021()))
    reader = make_persona(ReaderAgencyFactory(id="RESEARCH_PIPE"), scopes=("read",)).client()
    assert wait_until(lambda: caught_up(standby), timeout=20)
    first, _, on_replica, _ = answer(reader, DATA)
    assert first.status_code == 200 and data_queries(on_replica)
    reader.get(DATA)  # kept

    results = []
    commands = redis_commands(lambda: results.append(answer(reader, DATA)))
    response, body, on_replica, on_primary = results[0]
    assert (response.status_code, body) == (200, first.content)
    assert (on_replica, on_primary) == ([], [])
    assert not [command for command in commands if replica_mark.LSN_KEY in command]


def test_reads_from_the_replica_writes_and_lag_on_the_primary(with_replica, settings, caplog):
    standby = with_replica
    publish(monthly_csv("TH", "C", year_2021()))
    reader = make_persona(ReaderAgencyFactory(id="RESEARCH_PIPE"), scopes=("read",)).client()
    clerk = make_persona(Agency.objects.get(pk="TH_OIE")).client()
    assert wait_until(lambda: caught_up(standby), timeout=20)

    # Served by the replica (a standby: pg_is_in_recovery), byte for byte the primary's answer.
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
    response, body, on_replica, on_primary = answer(reader, DATA)
    assert response.status_code == 200, body
    assert data_queries(on_replica), "the data were not read from the replica"
    assert not any("indices_published" in sql for sql in on_primary), on_primary
    etag = response["ETag"]
    sdmx, sdmx_body, sdmx_on_replica, _ = answer(reader, SDMX)
    assert sdmx.status_code == 200 and data_queries(sdmx_on_replica)
    bulk, bulk_body, bulk_on_replica, _ = answer(reader, "/api/v1/bulk/data.csv")
    assert bulk.status_code == 200 and data_queries(bulk_on_replica)
    # COPY goes around Django's query log; the standby's sessions show it as their last query.
    copies = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY (%'"
    assert standby.execute(copies) == 1
    assert answer(reader, DATA, HTTP_IF_NONE_MATCH=etag)[0].status_code == 304
    primary_answers = {}
    with primary_only():
        for url in (DATA, SDMX, "/api/v1/bulk/data.csv"):
            response, primary_answers[url], on_replica, _ = answer(reader, url)
            assert not on_replica
    assert (body, sdmx_body, bulk_body) == tuple(primary_answers.values())

    # A reader page, signed in: the page's data from the replica, the person and the session
    # from the primary (a new session works at once).
    browser = Client()
    browser.force_login(make_user("reader_person", Agency.objects.get(pk="RESEARCH_PIPE")))
    page, _, on_replica, on_primary = answer(browser, "/series/M.TH.C.N.IX/")
    assert page.status_code == 200
    assert any("indices_published" in sql for sql in on_replica)
    assert any("django_session" in sql for sql in on_primary)
    assert not any("indices_published" in sql for sql in on_primary)

    # A clerk's upload, its validation, their own submission and its report: the primary only
    # (read-your-writes), though the replica is fresh and its data are the clerk's too.
    with CaptureQueriesContext(connections[ALIAS]) as on_replica:
        with in_this_process():
            mine = upload(clerk, "t.csv", monthly_csv("TH", "C", {"2022-01": 101}))
        submission_validate(mine["id"])
        detail = clerk.get(f"/api/v1/submissions/{mine['id']}/")
        report = clerk.get(f"/api/v1/submissions/{mine['id']}/report")
    assert detail.status_code == 200 and detail.json()["status"] == "NEEDS_CONFIRMATION"
    assert report.status_code == 200
    assert not on_replica.captured_queries

    # Lag: replay paused, a release published on the primary. Until the replica has replayed
    # it, the answers are the primary's: the new values, a new ETag, no 304 for the old one.
    standby.execute("SELECT pg_wal_replay_pause()")
    try:
        publish(monthly_csv("TH", "C", {"2022-01": 104.5, "2022-02": 106.25}))
        response, lagging_body, on_replica, _ = answer(reader, DATA, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200
        assert not data_queries(on_replica), on_replica
        assert b"2022-02" in lagging_body and lagging_body != body
        new_etag = response["ETag"]
        assert new_etag != etag
        assert answer(reader, DATA, HTTP_IF_NONE_MATCH=new_etag)[0].status_code == 304
        assert answer(reader, SDMX)[1] != sdmx_body
    finally:
        standby.execute("SELECT pg_wal_replay_resume()")
    assert wait_until(lambda: caught_up(standby), timeout=20)
    response, caught_up_body, on_replica, _ = answer(reader, DATA)
    assert data_queries(on_replica), "the replica was not used again once caught up"
    assert (caught_up_body, response["ETag"]) == (lagging_body, new_etag)
    assert answer(reader, DATA, HTTP_IF_NONE_MATCH=new_etag)[0].status_code == 304

    # A stopped replica: the primary answers, the same bytes, and the log says why. Found in
    # the middle of an answer (the connection was open): the answer is made again.
    standby.stop()
    with caplog.at_level(logging.WARNING, logger="ipi_exchange.replicas"):
        response = reader.get(DATA)
    assert (response.status_code, response.content) == (200, lagging_body)
    assert any("during an answer" in record.getMessage() for record in caplog.records)
    assert reader.get(DATA).status_code == 200  # set aside: not even tried
    # Found by the health check at the start of a request (as the WSGI handler's cycle does).
    replicas._resting_until.clear()
    caplog.clear()
    close_old_connections()
    with caplog.at_level(logging.WARNING, logger="ipi_exchange.replicas"):
        response = reader.get(DATA)
    assert (response.status_code, response.content) == (200, lagging_body)
    assert any("set aside" in record.getMessage() for record in caplog.records)


def test_a_replica_that_is_not_a_standby_is_not_used(with_replica, caplog):
    """A URL naming a primary (a misconfiguration) is refused: its data might be anyone's."""
    alias_point_at(dict(connection.settings_dict))
    try:
        publish(monthly_csv("TH", "C", year_2021()))
        reader = make_persona(ReaderAgencyFactory(id="RESEARCH_PIPE"), scopes=("read",)).client()
        with caplog.at_level(logging.WARNING, logger="ipi_exchange.replicas"):
            response, _, on_replica, _ = answer(reader, DATA)
        assert response.status_code == 200
        assert not data_queries(on_replica)
        assert any("not a standby" in record.getMessage() for record in caplog.records)
    finally:
        alias_point_at(with_replica.django_settings())
