"""Copies kept in each process's memory, which every process forgets at once when what they
copy changes: Redis pub/sub, with an acknowledgement from each listener.

The read endpoints answer most repeated requests from the process's memory, without a Redis
round trip (indices/disseminate/local_answers.py). That is sound only if no process answers
from a copy once the change it copies is made: a revoked credential, a publication, an address
over its failed-token budget. So whoever makes such a change calls `announce()` after making it
in Redis: the message is published on `<prefix>:local-caches` and `announce()` returns when
every subscribed process has handled it (each pushes an acknowledgement), waiting at most
IPI_LOCAL_CACHES_WAIT_MS. A process that has not acknowledged by then is logged; its copies
still go at most IPI_LOCAL_CACHES_TICK_MS later, when its listener gets the message.

Each process listens on a daemon thread of its own, started by the first `listening()`. The
thread forgets everything when it has subscribed and whenever its connection fails;
`listening()` is False until it is subscribed again, and a process that cannot hear answers
from Redis, as before. `epoch()` counts the forgettings: a copy made from what Redis said is
kept only if no forgetting came in between (`remember_if(epoch)` in the caller).

The thread also runs the `on_tick` callbacks, about every IPI_LOCAL_CACHES_TICK_MS: the
rate-limit counts taken in memory are sent to Redis there.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed

from ipi_exchange.http.throttling import redis_client

logger = logging.getLogger(__name__)

DEFAULT_WAIT_MS = 1000
DEFAULT_TICK_MS = 50
ACK_SECONDS = 30  # an acknowledgement list outlives any wait for it

Handler = Callable[[str], None]

_lock = threading.Lock()
_state = {"pid": 0, "listening": False, "epoch": 0, "stopping": False}
_forgetters: list[Callable[[], None]] = []
_handlers: dict[str, Handler] = {}
_tickers: list[Callable[[], None]] = []


def on_forget(forget: Callable[[], None]) -> Callable[[], None]:
    """Register what to clear when everything is forgotten (module level, once)."""
    _forgetters.append(forget)
    return forget


def on_message(kind: str, handle: Handler) -> None:
    """Register the handler of the messages of `kind` other than "forget"; it gets the rest
    of the message, after the kind."""
    _handlers[kind] = handle


def on_tick(tick: Callable[[], None]) -> None:
    _tickers.append(tick)


def _channel() -> str:
    # Channels are the server's, not a database's: name the database, as every key does.
    database = redis_client().connection_pool.connection_kwargs.get("db", 0)
    return f"{cache.key_prefix}:{database}:local-caches"


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def lock() -> threading.Lock:
    """Held while everything is forgotten: hold it to check `epoch()` and keep a copy."""
    return _lock


def epoch() -> int:
    return _state["epoch"]


def listening() -> bool:
    """Whether this process hears every change: copies may be used. Starts the listener."""
    if not _state["pid"]:
        _start()
        return False
    return bool(_state["listening"])


def forget_here() -> None:
    """Forget every copy of this process (the listener's own, and tests')."""
    with _lock:
        _state["epoch"] += 1
        for forget in _forgetters:
            forget()


def announce(kind: str, rest: str = "") -> None:
    """Tell every process (this one included) of a change made in Redis: "forget" clears
    every copy; other kinds go to their handler with `rest`. Returns once each has handled
    it."""
    try:
        client = redis_client()
        number = client.incr(f"{_channel()}:seq")
        acks = f"{_channel()}:ack:{number}"
        receivers = client.publish(_channel(), f"{number} {kind} {rest}")
        deadline = time.monotonic() + _setting("IPI_LOCAL_CACHES_WAIT_MS", DEFAULT_WAIT_MS) / 1000
        for _ in range(receivers):
            left = deadline - time.monotonic()
            if left <= 0 or client.blpop([acks], timeout=left) is None:
                logger.error("a process did not acknowledge %s in time", kind)
                return
    except Exception:
        # The listeners lose the same server and forget everything until they hear again.
        logger.error("local caches not told of %s: Redis unreachable", kind, exc_info=True)


def _start() -> None:
    with _lock:
        if _state["pid"]:
            return
        _state.update(pid=os.getpid(), listening=False)
        for forget in _forgetters:
            forget()
    threading.Thread(target=_listen, name="local-caches", daemon=True).start()


def _listen() -> None:
    while True:
        pubsub = None
        try:
            pubsub = redis_client().pubsub()
            pubsub.subscribe(_channel())
            while True:
                message = pubsub.get_message(
                    timeout=_setting("IPI_LOCAL_CACHES_TICK_MS", DEFAULT_TICK_MS) / 1000
                )
                if message is not None:
                    _handle(message)
                for tick in _tickers:
                    tick()
        except Exception:
            if _state["stopping"]:
                return  # the process exits: its servers may be gone before it
            logger.warning("local caches unusable: Redis unreachable", exc_info=True)
        _state["listening"] = False
        forget_here()
        if pubsub is not None:
            with contextlib.suppress(Exception):
                pubsub.close()
        time.sleep(0.5)


def _handle(message: dict) -> None:
    if message["type"] == "subscribe":
        forget_here()
        _state["listening"] = True
        return
    if message["type"] != "message":
        return
    number, kind, rest = message["data"].decode().split(" ", 2)
    if kind == "forget":
        forget_here()
    elif kind in _handlers:
        _handlers[kind](rest)
    client = redis_client()
    acks = f"{_channel()}:ack:{number}"
    pipe = client.pipeline(transaction=False)
    pipe.rpush(acks, 1)
    pipe.expire(acks, ACK_SECONDS)
    pipe.execute()


def _forked() -> None:
    # A child process (a gunicorn worker forked after the app was loaded) has not the parent's
    # listener thread (nor, safely, its lock): it starts its own, from nothing heard.
    global _lock
    _lock = threading.Lock()
    _state.update(pid=0, listening=False)
    forget_here()


os.register_at_fork(after_in_child=_forked)


@atexit.register
def _stopping() -> None:
    _state["stopping"] = True


def _settings_changed(**kwargs) -> None:
    # Tests change the rate, the cache or the store setting: copies made under others go.
    forget_here()


setting_changed.connect(_settings_changed, dispatch_uid="local-caches-settings")
