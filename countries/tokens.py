"""Bearer tokens: generated once, shown once, stored as a hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "ipi_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 8


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def shown_prefix(token: str) -> str:
    return token[:PREFIX_SHOWN]
