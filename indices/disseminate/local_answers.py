"""This process's copies of what the read path's Redis script told it, to answer a repeated
request without the round trip (indices/disseminate/answers.py). Every process forgets them at
once when what they copy changes (ipi_exchange/local_caches.py).

A request is answered here only when all of this is known and current:
- its address was found under its failed-token budget by the script since the last
  forgetting, and no lock of it has been announced since (countries/throttling.py);
- its token's credential, with the `read` scope, not past the instant its Redis entry expires
  (so its use is recorded as often as before: IPI_CREDENTIAL_TOUCH_SECONDS);
- the publication token, not past the instant the next scheduled release falls due;
- this process's copy of the answer, made under that token;
- the credential's rate-limit window, with room for this request.

The rate-limit count is taken here and added to Redis's counter by the listener within a
tick; RateLimit-Remaining says what this process knows, so other processes' requests of the
last tick may not be in it yet. A request that would go over the limit here goes through the
script instead, carrying this process's counts not yet sent, so a refusal is decided on the
exact count.
"""

from __future__ import annotations

import threading
import time
from typing import NamedTuple

from ipi_exchange import local_caches
from ipi_exchange.http.throttling import rate_key_prefix, redis_script

MAX_ENTRIES = 10_000  # of each kind; past it they are dropped and made again
COPIES_MAX_BYTES = 32_000_000

# KEYS[1] a credential's counter; ARGV[1] the window (ms), ARGV[2] the requests to add.
# Returns {count, ms left in the window}.
_ADD = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""


class Copy(NamedTuple):
    token: str
    head: dict
    body: bytes


class Credential(NamedTuple):
    ident: str
    until_ms: int  # when the Redis entry it copies expires


class Window:
    """A credential's rate-limit window as this process knows it."""

    __slots__ = ("count", "ends_ms", "length_ms", "pending")

    def __init__(self, count: int, ends_ms: int, length_ms: int) -> None:
        self.count = count  # Redis's count when last heard
        self.ends_ms = ends_ms
        self.length_ms = length_ms
        self.pending = 0  # taken here, not yet added to Redis's count


class Local(NamedTuple):
    """An answer given from this process: its count in the window and the ms left."""

    counted: int
    ttl_ms: int
    head: dict
    body: bytes


_lock = threading.Lock()
_copies: dict[str, Copy] = {}  # by request digest
_copies_size = [0]
_credentials: dict[str, Credential] = {}  # by token hash
_addresses: set[str] = set()  # found under their failed-token budget
_windows: dict[str, Window] = {}  # by credential ident
_publication: list = [None, None]  # token, valid until (ms) or None
# The view (its name, whether SDMX) each request shape was routed to: a repeated request is
# answered before its URL is resolved. A URL names one view while the URLconf stays.
_routes: dict[tuple[str, str, str, str], tuple[str, bool]] = {}


@local_caches.on_forget
def _forget() -> None:
    _routes.clear()  # a setting changed (the URLconf, in tests) forgets too
    _credentials.clear()
    _addresses.clear()
    _publication[:] = [None, None]
    # The windows' pending counts are still owed to Redis; the copies are named by token.


def _address_locked(address: str) -> None:
    _addresses.discard(address)


local_caches.on_message("lock", _address_locked)


def answer(token_hash: str, address: str, digest: str, limit: int, now_ms: int) -> Local | None:
    """The answer to give from this process, counted; None when anything is not known."""
    if not local_caches.listening() or address not in _addresses:
        return None
    credential = _credentials.get(token_hash)
    token, valid = _publication
    copy = _copies.get(digest)
    if credential is None or credential.until_ms <= now_ms or token is None:
        return None
    if (valid is not None and valid <= now_ms) or copy is None or copy.token != token:
        return None
    if limit <= 0:
        return Local(0, 0, copy.head, copy.body)
    with _lock:
        window = _windows.get(credential.ident)
        if window is None or window.ends_ms <= now_ms:
            return None
        count = window.count + window.pending + 1
        if count > limit:
            return None
        window.pending += 1
    return Local(count, window.ends_ms - now_ms, copy.head, copy.body)


def pending_take(token_hash: str) -> tuple[str | None, int]:
    """The credential's counts not yet sent, for the script to add: (ident, how many)."""
    credential = _credentials.get(token_hash)
    if credential is None:
        return None, 0
    with _lock:
        window = _windows.get(credential.ident)
        if window is None:
            return None, 0
        taken, window.pending = window.pending, 0
    return credential.ident, taken


def pending_return(ident: str | None, taken: int) -> None:
    """Counts the script did not add (it answered nothing): owed again."""
    if ident is None or not taken:
        return
    with _lock:
        if (window := _windows.get(ident)) is not None:
            window.pending += taken


def remember(
    epoch: int,
    *,
    token_hash: str,
    ident: str,
    credential_ms: int,
    address: str,
    token: str,
    valid: str,
    count: int,
    ttl_ms: int,
    window_ms: int,
    now_ms: int,
) -> None:
    """What the script said for a request it answered, unless a forgetting came in since
    `epoch` was read (before the script ran)."""
    with local_caches.lock():
        if local_caches.epoch() != epoch:
            return
        for entries in (_credentials, _addresses, _windows):
            if len(entries) >= MAX_ENTRIES:
                entries.clear()
        # A credential entry without expiry (-1) is kept until the next forgetting.
        until = now_ms + credential_ms if credential_ms >= 0 else 2**62
        _credentials[token_hash] = Credential(ident, until)
        _addresses.add(address)
        _publication[:] = [token, int(valid) if valid else None]
        if window_ms > 0:
            with _lock:
                window = _windows.get(ident)
                if window is None:
                    _windows[ident] = Window(count, now_ms + ttl_ms, window_ms)
                else:
                    window.count, window.ends_ms = count, now_ms + ttl_ms


def _route_key(request) -> tuple[str, str, str, str]:
    meta = request.META
    return (
        request.path,
        meta.get("QUERY_STRING", ""),
        meta.get("HTTP_ACCEPT", ""),
        meta.get("HTTP_HOST", ""),
    )


def route_learn(request, view: str, sdmx: bool) -> None:
    if len(_routes) >= MAX_ENTRIES:
        _routes.clear()
    _routes[_route_key(request)] = (view, sdmx)


def route_of(request) -> tuple[str, bool] | None:
    return _routes.get(_route_key(request))


def copy_of(digest: str) -> Copy | None:
    return _copies.get(digest)


def copy_keep(digest: str, token: str, head: dict, body: bytes) -> None:
    """Keep this process's copy of an answer made under publication `token`."""
    if (found := _copies.get(digest)) is not None and found.token == token:
        return
    if _copies_size[0] + len(body) > COPIES_MAX_BYTES:
        _copies.clear()
        _copies_size[0] = 0
    _copies[digest] = Copy(token, head, body)
    _copies_size[0] += len(body)


@local_caches.on_tick
def _send_counts() -> None:
    """Add the counts taken here to Redis's counters, and learn theirs."""
    with _lock:
        owed = [(ident, w, w.pending) for ident, w in _windows.items() if w.pending]
        for _, window, _ in owed:
            window.pending = 0
    for number, (ident, window, taken) in enumerate(owed):
        try:
            count, ttl = redis_script("rate-add", _ADD)(
                keys=[f"{rate_key_prefix()}{ident}"], args=[window.length_ms, taken]
            )
        except Exception:
            for _, unsent, left in owed[number:]:
                _owe_again(unsent, left)
            raise
        with _lock:
            window.count, window.ends_ms = int(count), _now_ms() + int(ttl)


def _owe_again(window: Window, taken: int) -> None:
    with _lock:
        window.pending += taken


def _now_ms() -> int:
    return int(time.time() * 1000)
