"""Usable credentials remembered in Redis by token hash, for the read path's one round trip.

The read endpoints' fast path (indices/disseminate/answers.py) authenticates, counts the rate
limit and finds a stored answer in one Redis script; the credential part is an entry here:
`<prefix>:cred:<generation>:<token hash>` -> `<rate-limit ident>|<scopes>` (the scopes the
credential has and its agency's role allows). Only a usable credential of an active agency is
remembered, and only for as long as its last use may go unrecorded
(IPI_CREDENTIAL_TOUCH_SECONDS) and never past its expiry.

Forgetting is one INCR of the generation, which every entry's key names: any save or delete of
a credential or an agency, and every revocation (an UPDATE, no signal), forgets them all, at once
and again after the commit, so a revoked token is refused on its next request. A request reads
the generation before it reads the credential from the database, so an entry it writes from a
row older than a revocation lands under a generation nobody reads any more.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from countries.models import Agency, ApiCredential
from ipi_exchange import local_caches
from ipi_exchange.http.throttling import redis_client

logger = logging.getLogger(__name__)


def generation_key() -> str:
    return f"{cache.key_prefix}:credgen"


def entry_prefix() -> str:
    """Entries are `entry_prefix() + generation + ":" + token hash`."""
    return f"{cache.key_prefix}:cred:"


def credentials_generation() -> str:
    """The generation to write entries under; read it before reading the credential."""
    try:
        value = redis_client().get(generation_key())
    except Exception:
        logger.warning("credential cache unavailable: Redis unreachable", exc_info=True)
        return ""
    return value.decode() if value else "0"


def credential_remember(
    *,
    generation: str,
    token_hash: str,
    ident: str,
    scopes: frozenset[str],
    expires_at: datetime | None,
) -> None:
    """Remember a usable credential for the fast path; nothing when Redis is unreachable."""
    if not generation:
        return
    seconds = float(settings.IPI_CREDENTIAL_TOUCH_SECONDS)
    if expires_at is not None:
        seconds = min(seconds, (expires_at - timezone.now()).total_seconds())
    if seconds < 1:
        return
    value = f"{ident}|{','.join(sorted(scopes))}"
    try:
        redis_client().set(f"{entry_prefix()}{generation}:{token_hash}", value, ex=int(seconds))
    except Exception:
        logger.warning("credential not cached: Redis unreachable", exc_info=True)


def credentials_forget_now() -> None:
    try:
        redis_client().incr(generation_key())
        # And every process's copies of the entries (ipi_exchange/local_caches.py).
        local_caches.announce("forget")
    except Exception:
        # The entries expire on their own (IPI_CREDENTIAL_TOUCH_SECONDS at most).
        logger.error("credential cache not invalidated: Redis unreachable", exc_info=True)


def credentials_forget() -> None:
    """Forget every remembered credential now and, inside a transaction, again after it
    commits (a request in between may have cached the row as it was before)."""
    credentials_forget_now()
    transaction.on_commit(credentials_forget_now, robust=True)


@receiver(post_save, sender=ApiCredential, dispatch_uid="credential-cache-save")
@receiver(post_delete, sender=ApiCredential, dispatch_uid="credential-cache-delete")
@receiver(post_save, sender=Agency, dispatch_uid="credential-cache-agency-save")
@receiver(post_delete, sender=Agency, dispatch_uid="credential-cache-agency-delete")
def _credential_changed(sender, **kwargs) -> None:
    credentials_forget()
