"""A read beside the transaction (services/beside.py): on a second connection, in the
transaction's snapshot, and publication's aggregates the same whichever connection read the
members' levels. Transactional: a second connection sees only what is committed."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import connection, transaction
from django.utils import timezone

from countries.models import Country
from indices.publish.models import PublishedObservation, Release, ValueAddedWeight
from indices.publish.services.beside import ReadBeside
from indices.publish.services.publication import release_publish
from tests.indices.publishing import accept, monthly_csv, publish, year_2021
from tests.workers import test_database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]

_COUNTRIES = "SELECT count(*) FROM countries_country"


def _count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(_COUNTRIES)
        return cursor.fetchone()[0]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _backend_gone(pid: int, *, timeout: float = 3.0) -> bool:
    """Whether the server process `pid` has ended (a closed connection's ends just after)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.05)
    return False


def _commit_elsewhere(sql: str) -> None:
    """`sql` committed by a connection of its own, as another process would."""
    with psycopg.connect(test_database_url(), autocommit=True) as other:
        other.execute(sql)


def test_it_reads_on_a_second_connection_in_the_transactions_snapshot():
    before = _count()
    start = threading.Event()

    def read() -> tuple[str, int]:
        start.wait(timeout=30)
        return threading.current_thread().name, _count()

    with transaction.atomic():
        beside = ReadBeside(read)
        assert beside.beside
        # Committed after the snapshot was taken: not seen by the read, however late it runs.
        _commit_elsewhere(
            "INSERT INTO countries_country (code, name, aggregates, created_at)"
            " VALUES ('ZZ', 'Elsewhere', '{}', now())"
        )
        start.set()
        thread, counted = beside.result()
    assert thread.startswith("read-beside")
    assert counted == before
    assert _count() == before + 1


def test_after_a_write_it_reads_here_where_the_write_is_seen():
    before = _count()
    with transaction.atomic():
        Country.objects.create(code="ZY", name="Written", aggregates=[])
        beside = ReadBeside(lambda: (threading.current_thread().name, _count()))
        assert not beside.beside
        assert beside.result() == (threading.current_thread().name, before + 1)
        transaction.set_rollback(True)


def test_a_read_not_worth_a_connection_is_read_here():
    with transaction.atomic():
        beside = ReadBeside(_count, worth_it=False)
        assert not beside.beside
        assert beside.result() == _count()


def test_outside_a_transaction_it_reads_here():
    beside = ReadBeside(_count)
    assert not beside.beside
    assert beside.result() == _count()


def test_a_read_that_fails_beside_is_read_again_here(caplog):
    def read() -> str:
        name = threading.current_thread().name
        if name.startswith("read-beside"):
            raise psycopg.OperationalError("too many clients already")
        return name

    with transaction.atomic():
        beside = ReadBeside(read)
        assert beside.beside
        assert beside.result() == threading.current_thread().name
    assert "read again here" in caplog.text


def test_the_second_connection_is_closed_after_its_read():
    with transaction.atomic():
        beside = ReadBeside(_backend_pid)
        assert beside.beside
        pid = beside.result()
    assert pid != _backend_pid()
    assert _backend_gone(pid)


def _group_levels(release: Release, *, beside: bool) -> dict[str, dict[str, float]]:
    """The release published in a transaction rolled back after: the groups' current monthly
    levels. Not `beside`: the transaction has an id before it publishes, as after a write."""
    seen = {}
    with transaction.atomic():
        if not beside:
            with connection.cursor() as cursor:  # a write of a kind: an id assigned
                cursor.execute("SELECT pg_current_xact_id()")
        release_publish(release, instant=timezone.now())
        for key in ("M.MKG.C.N.IX", "M.MKG_JP.C.N.IX"):
            seen[key] = {
                o.time_period: o.value
                for o in PublishedObservation.objects.filter(series_key=key, valid_to=None)
            }
        transaction.set_rollback(True)
    return seen


def test_the_aggregates_are_the_same_read_beside_or_here(caplog):
    for code, value in (("TH", 300), ("VN", 100)):
        for year in (2020, 2021):
            ValueAddedWeight.objects.create(
                country=Country.objects.get(pk=code), activity="C", year=year, value_added=value
            )
    publish(monthly_csv("TH", "C", {**year_2021(), "2022-01": 110, "2022-02": 111}))
    publish(monthly_csv("VN", "C", {**year_2021(), "2022-01": 130}), agency="VN_NSO")
    # A monthly update of Viet Nam: the group is recomputed with Thailand's levels, read
    # from the published store.
    update = accept(
        monthly_csv("VN", "C", {"2022-01": 131, "2022-02": 133}), agency="VN_NSO"
    ).release
    caplog.set_level("DEBUG", logger="indices.publish.services.beside")
    here = _group_levels(update, beside=False)
    assert "reading beside" not in caplog.text
    beside = _group_levels(update, beside=True)
    assert "reading beside" in caplog.text
    assert beside == here
    assert here["M.MKG.C.N.IX"]["2022-02"] == pytest.approx((3 * 111 + 133) / 4)
