"""The read replicas' rules that need no standby (tests/test_read_replicas.py has one): the
names they list still name models and views, the recorded position only moves forward, and a
publication records it even where replicas are not configured."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.urls import get_resolver

from ipi_exchange import replica_mark, replicas
from tests.indices.publishing import monthly_csv, publish, year_2021


def test_every_model_kept_on_the_primary_exists():
    # A renamed model would silently leave the list, and its reads go to a replica.
    labels = {
        f"{model._meta.app_label}.{model._meta.model_name}"
        for model in apps.get_models(include_auto_created=True)
    }
    assert labels >= replicas.PRIMARY_ONLY, sorted(replicas.PRIMARY_ONLY - labels)
    # Who is signed in, with which token, and a clerk's own work never wait for a replica.
    assert {
        "countries.apicredential",
        "countries.user",
        "sessions.session",
    } <= replicas.PRIMARY_ONLY
    assert {"indices.submission", "indices.finding"} <= replicas.PRIMARY_ONLY


def test_every_replica_eligible_view_is_a_route_that_only_reads():
    names = set()

    def walk(resolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, inner)
            elif pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver(), "")
    assert names >= replicas.ELIGIBLE_VIEWS, sorted(replicas.ELIGIBLE_VIEWS - names)
    assert not {n for n in replicas.ELIGIBLE_VIEWS if "submission" in n or "upload" in n}


def test_the_recorded_position_only_moves_forward():
    client = replica_mark.redis_client()
    key = "ipi:test:replica:lsn"
    client.delete(key)
    try:
        for position in (0x2_0000_0000, 0x1_FFFF_FFFF, 0xA_0000_0010, 0x9_FFFF_FFFF):
            client.eval(replica_mark.RECORD_SCRIPT, 1, key, f"{position:016x}")
        assert int(client.get(key), 16) == 0xA_0000_0010
    finally:
        client.delete(key)


@pytest.mark.django_db(transaction=True)
def test_a_publication_moves_the_mark_in_a_process_without_replicas(seeded, settings):
    # A worker started without DATABASE_REPLICA_URLS publishes: web's replicas must hear of it.
    assert settings.DATABASE_ROUTERS == []
    client = replica_mark.redis_client()
    client.delete(replica_mark.LSN_KEY)
    publish(monthly_csv("TH", "C", year_2021()))
    recorded = int(client.get(replica_mark.LSN_KEY), 16)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
        assert 0 < recorded <= int(cursor.fetchone()[0])
