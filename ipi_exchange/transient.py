"""The errors a Celery task retries at once: a dropped connection (a database or broker
restart). Every task's work is idempotent, so a retry can never apply anything twice. psycopg's
own classes too: COPY talks to psycopg directly, past Django's error wrapping."""

from __future__ import annotations

import psycopg
from django.db import InterfaceError, OperationalError

TRANSIENT_ERRORS = (
    OSError,
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
