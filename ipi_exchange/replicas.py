"""Read replicas (DATABASE_REPLICA_URLS): the read-only answers from PostgreSQL streaming
standbys, everything else from the primary, and never an answer older than the data it shows.

Installed by the settings only when replicas are configured (without them nothing here runs):

- `ReplicaReadsMiddleware` marks a request replica-eligible after URL resolution: a GET or HEAD
  of a view in `ELIGIBLE_VIEWS` (the read-only API, SDMX, the reader pages). It picks one
  replica for the whole request (every query of an answer, its ETag included, from one
  server) or none, and holds the choice in a context variable while the view runs and while a
  streamed body is produced.
- `ReplicaRouter` sends a marked request's reads there; every other read (writes, validation,
  publication, Celery tasks, the admin, a clerk's submissions and reports), every write and
  every read of a model in `PRIMARY_ONLY` goes to the primary ("default").

**Freshness.** Every ORM write of a model a replica may serve (any model not in
`PRIMARY_ONLY`: a publication's Release, the admin's edits of members or the standard) records,
once its transaction has committed, the primary's WAL position (`pg_current_wal_lsn()`) in
Redis, keeping the highest (replica_mark.py; a publication also records it in processes
without replicas configured: indices/disseminate/receivers.py). A replica serves a
request only if it has replayed at least that far (`pg_last_wal_replay_lsn()`); the highest
position each replica was seen at is kept per process (replay only moves forward), so a
caught-up replica costs no query but the Redis GET. The position is recorded by the first
on-commit callback of the transaction, before the publication's own (`release_published`:
webhooks), so whoever hears of a publication from us reads it wherever they are routed. An
embargo lifts by publishing its release: the same path.

**Failures.** A replica that cannot be reached, is not a standby, or fails a query is left
aside for `RETRY_SECONDS` in this process (a warning in the log) and the request is answered
by the primary; if Redis cannot be read the primary answers too, and a mark lost with Redis's
data is replaced by the primary's position at the next request. Never a 500 of our making.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, cast

from django.conf import settings
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse

from ipi_exchange import replica_mark

logger = logging.getLogger(__name__)

REPLICA_PREFIX = "replica_"
# A replica that failed is not tried again in this process for this long.
RETRY_SECONDS = 10.0

# GET/HEAD of these views (namespace:name) may be answered by a replica.
ELIGIBLE_VIEWS = frozenset(
    {
        # the read-only API (indices/disseminate/urls.py)
        "series-list",
        "series-adjustment",
        "series-data-all",
        "series-data",
        "release-list",
        "bulk-data",
        # SDMX (indices/disseminate/sdmx/urls.py)
        "sdmx-data",
        "sdmx-availability",
        "sdmx-structure",
        # the reader pages (indices/web/urls.py)
        "web:explorer",
        "web:series",
        "web:series-csv",
        "web:series-xlsx",
        "web:series-vintages",
        "web:find",
        "web:compare",
        "web:compare-csv",
        "web:calendar",
        "web:timeliness",
    }
)

# Always read from the primary, so their writes need not wait for a replica: who is signed in
# and with which token (a revoked token is refused on its next request, a new session works at
# once), a clerk's own submissions and reports (read-your-writes), webhooks and the audit log.
PRIMARY_ONLY = frozenset(
    {
        "countries.user",
        "countries.user_groups",
        "countries.user_user_permissions",
        "countries.apicredential",
        "countries.auditevent",
        "sessions.session",
        "auth.group",
        "auth.group_permissions",
        "auth.permission",
        "contenttypes.contenttype",
        "admin.logentry",
        "indices.submission",
        "indices.finding",
        "indices.submissionrow",
        "indices.webhooksubscription",
        "indices.webhookdelivery",
    }
)

# The replica chosen for the request being answered (None: the primary; UNDECIDED: a replica
# may answer, chosen at the request's first read, so an answer that reads nothing (a kept
# answer, indices/disseminate/answers.py) costs no choice).
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "ipi_replica_alias", default=None
)
UNDECIDED = "(undecided)"
# Per process: the highest replay position each replica was seen at, and when a failed one
# may be tried again.
_replayed: dict[str, int] = {}
_resting_until: dict[str, float] = {}
_rotation = itertools.count()
# Autocommit writes (outside any transaction) are recorded at the end of the request or task.
_pending = threading.local()


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def current_alias() -> str | None:
    """The replica answering the current request, if any (for tests and the log)."""
    alias = _current.get()
    return None if alias == UNDECIDED else alias


def _decided() -> str | None:
    """The request's replica, chosen now if it is not yet."""
    alias = _current.get()
    if alias == UNDECIDED:
        alias = replica_choose()
        _current.set(alias)
    return alias


def _label(model: type[Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


# --- Recording the primary's position after a write ------------------------------------------


def primary_lsn_record() -> None:
    """Record the mark after a write (replica_mark.py); if that fails, stop using replicas in
    this process for a while: they could serve data older than the write."""
    _pending.dirty = False
    if not replica_mark.primary_lsn_record():
        for alias in replica_aliases():
            _resting_until[alias] = time.monotonic() + RETRY_SECONDS


def _write_noted() -> None:
    primary = connections[DEFAULT_DB_ALIAS]
    if not primary.in_atomic_block:
        # The statement has not run yet: record after it, at the end of the request or task.
        _pending.dirty = True
        return
    # Entries are (savepoint ids, callback, robust); the stubs know only two of them.
    if not any(entry[1] is primary_lsn_record for entry in primary.run_on_commit):
        transaction.on_commit(primary_lsn_record, using=DEFAULT_DB_ALIAS)


def _record_if_pending(**kwargs: Any) -> None:
    if getattr(_pending, "dirty", False):
        primary_lsn_record()


request_finished.connect(_record_if_pending, dispatch_uid="ipi_replicas_request_finished")


def _connect_celery() -> None:
    from celery.signals import task_postrun

    task_postrun.connect(_record_if_pending, weak=False, dispatch_uid="ipi_replicas_task_postrun")


_connect_celery()


# --- Choosing a replica ----------------------------------------------------------------------


def _set_aside(alias: str, reason: object) -> None:
    logger.warning("replica %s set aside for %.0f s: %s", alias, RETRY_SECONDS, reason)
    _resting_until[alias] = time.monotonic() + RETRY_SECONDS
    _replayed.pop(alias, None)
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def _fresh(alias: str, required: int) -> bool:
    connection = connections[alias]
    if _replayed.get(alias, -1) >= required:
        # Django's health check (CONN_HEALTH_CHECKS), once per request, done here: a replica
        # gone since the last request is found now, not in the middle of the answer.
        # health_check_done: BaseDatabaseWrapper's since Django 4.1, not in django-stubs.
        checked = connection.health_check_done  # type: ignore[attr-defined]
        if connection.connection is not None and not checked:
            if not connection.is_usable():
                connection.close()
            connection.health_check_done = True  # type: ignore[attr-defined]
        connection.ensure_connection()  # connects (or raises) if the server is not there
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn")
        (replayed,) = cursor.fetchone()
    if replayed is None:
        raise DatabaseError("not a standby (pg_last_wal_replay_lsn() is null)")
    _replayed[alias] = max(_replayed.get(alias, -1), int(replayed))
    return _replayed[alias] >= required


def replica_choose() -> str | None:
    """A replica that has replayed every recorded write, or None for the primary."""
    aliases = replica_aliases()
    if not aliases:
        return None
    required = replica_mark.required_lsn()
    if required is None:
        return None
    start = next(_rotation)
    now = time.monotonic()
    for step in range(len(aliases)):
        alias = aliases[(start + step) % len(aliases)]
        if _resting_until.get(alias, 0.0) > now:
            continue
        try:
            if _fresh(alias, required):
                return alias
        except DatabaseError as error:
            _set_aside(alias, error)
    return None


# --- The router and the middleware -----------------------------------------------------------


class ReplicaRouter:
    """Reads of a replica-eligible request to its replica; everything else to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if _label(model) in PRIMARY_ONLY:
            return DEFAULT_DB_ALIAS
        return _decided() or DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        if _label(model) not in PRIMARY_ONLY:
            _write_noted()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # every alias is the same database

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Answers a replica-eligible request from a fresh replica (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _current.set(None)
        try:
            response = self.get_response(request)
            alias = current_alias()
            # The replica failed mid-answer (gone, or a query cancelled by a conflict with
            # recovery): answer again from the primary, a GET has no effect to repeat.
            if (
                alias is not None
                and response.status_code >= 500
                and connections[alias].errors_occurred
            ):
                _set_aside(alias, "a query failed during an answer")
                response = self.get_response(request)
            # A streamed body reads as it is sent: on the replica chosen now, for all of it.
            chosen = _decided() if isinstance(response, StreamingHttpResponse) else None
        finally:
            _current.reset(token)
        if (
            chosen is not None
            and isinstance(response, StreamingHttpResponse)
            and not response.is_async
        ):
            response.streaming_content = _on_alias(
                chosen, cast(Iterator[bytes], response.streaming_content)
            )
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if (
            request.method in ("GET", "HEAD")
            and match is not None
            and match.view_name in ELIGIBLE_VIEWS
        ):
            _current.set(UNDECIDED)
        return None


def _on_alias(alias: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A streamed body produced with `alias` chosen, as its headers were (bulk export)."""
    iterator = iter(chunks)
    while True:
        token = _current.set(alias)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _current.reset(token)
        yield chunk
