"""Stored answers of the data endpoints: built once per publication state and request, served
with one Redis round trip and no SQL.

Data change only when a release is published. An answer of `/api/v1/data/...` or
`/sdmx/data/...` (status 200, at most IPI_ANSWER_CACHE_MAX_BYTES) is kept in Redis under the
*publication token* and a digest of what its bytes depend on besides the data (view, path, query
string, Accept, Host, the cache settings): its view-level headers (ETag and Last-Modified as
the view computed them, so validators are today's) and its body. The next identical request
is answered from there by `answer_serve`, whose one Lua script also does what the view would
have done first: refuse an address over its failed-token budget, find the credential
(countries/credential_cache.py), count the per-credential rate limit. Anything it cannot
settle (unknown credential, no `read` scope, over the limit, no stored answer, a HEAD, a
malformed header) goes through the view as before, which then stores its answer.

The publication token (`<prefix>:pubstate` = `<token>|<valid until, ms>`) names the state of
the published store readers see:
- `publication_changed()` forgets it (INCR `<prefix>:pubgen`, DEL the state): when a release
  is saved (in its transaction, and again after commit) and on `release_published` (after
  commit). Answers stored under an older token are never read again (they expire).
- The next request finds no token and makes one (`_token_make`): it reads the generation,
  then (through the ordinary database routing, like the data) the next instant a scheduled
  release falls due, then sets `INCR pubgen` as the token, valid until that instant, only if
  the generation has not moved meanwhile. So every answer stored under a token was read after
  the token was made, after every publication before it had committed; and a token never
  outlives the instant an embargo lifts, even if some day a release were to become visible at
  its instant without a write.
A replica may serve a request only once it has replayed every committed publication (the
database router's rule), so the same holds there.

SDMX messages carry their own ID and preparation time: their bodies are stored with
placeholders that each answer fills afresh (sdmx/xmlutil.py), so those still differ per message.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils import timezone

from countries import credential_cache
from countries.throttling import DEFAULT_FAILURES, client_ip
from countries.throttling import _key_for as auth_failures_key
from countries.tokens import token_hash
from indices.disseminate import local_answers
from indices.disseminate.sdmx import xmlutil
from indices.publish.models import Release
from ipi_exchange import local_caches
from ipi_exchange.http.conditional import SHAPE_VERSION, is_fresh_for
from ipi_exchange.http.throttling import (
    DEFAULT_RATE,
    parse_rate,
    rate_key_prefix,
    rate_limit_counted,
    redis_client,
    redis_script,
)

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2_000_000
DEFAULT_SECONDS = 3600

# ARGV: 1 failed-attempts key, 2 their limit (0: none), 3 credential generation key,
# 4 credential entry prefix, 5 token hash, 6 rate counter prefix, 7 rate window ms (0: no
# limit), 8 publication state key, 9 answer key prefix, 10 request digest, 11 now (ms),
# 12 publication generation key, 13 the token of this process's copy of the answer ("" if
# none), 14 requests this process counted and has not added yet. Returns
# {status, credential, count, ttl ms, token, head, body, ...}: "locked" (over the
# failed-attempt budget: nothing else); "unknown" (no usable state, no credential entry with
# the `read` scope, or no stored answer: nothing counted, the view answers), with the token if
# there is one, else an eighth item, the generation to make one from; "ok": counted, with the
# answer's head ("=": the process's copy is current) and body, then the token's "valid until"
# and the ms left to the credential's entry (for indices/disseminate/local_answers.py).
_SERVE = """
local limit = tonumber(ARGV[2])
if limit > 0 and tonumber(redis.call('GET', ARGV[1]) or '0') >= limit then
  return {'locked'}
end
local generation = redis.call('GET', ARGV[3]) or '0'
local credential = redis.call('GET', ARGV[4] .. generation .. ':' .. ARGV[5])
local bar = credential and string.find(credential, '|', 1, true)
if credential and
   not string.find(',' .. string.sub(credential, bar + 1) .. ',', ',read,', 1, true) then
  credential = false
end
local state = redis.call('GET', ARGV[8])
local token, due = false, ''
if state then
  local cut = string.find(state, '|', 1, true)
  due = string.sub(state, cut + 1)
  local valid = tonumber(due)
  if valid == nil or valid > tonumber(ARGV[11]) then token = string.sub(state, 1, cut - 1) end
end
if not token then
  return {'unknown', false, 0, 0, false, false, false, redis.call('GET', ARGV[12]) or false}
end
if not credential then return {'unknown', false, 0, 0, token, false, false} end
local head, body = '=', false
if token ~= ARGV[13] then
  local key = ARGV[9] .. token .. ':' .. ARGV[10]
  head = redis.call('GET', key .. ':h')
  if not head then return {'unknown', false, 0, 0, token, false, false} end
  body = redis.call('GET', key .. ':b')
end
-- An answer will be given: count it (the view counts what it answers itself).
local count, ttl = 0, 0
local window = tonumber(ARGV[7])
if window > 0 then
  local key = ARGV[6] .. string.sub(credential, 1, bar - 1)
  local add = 1 + tonumber(ARGV[14])
  count = redis.call('INCRBY', key, add)
  if count == add then redis.call('PEXPIRE', key, window) end
  ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, window); ttl = window end
end
local entry = redis.call('PTTL', ARGV[4] .. generation .. ':' .. ARGV[5])
return {'ok', credential, count, ttl, token, head, body or false, due, entry}
"""
# ARGV: 1 generation key, 2 state key, 3 generation read before the database, 4 valid until
# (ms, "" for no pending release). Returns the new token, or false if the generation moved.
_MAKE = """
if (redis.call('GET', ARGV[1]) or '0') ~= ARGV[3] then return false end
local token = redis.call('INCR', ARGV[1])
redis.call('SET', ARGV[2], token .. '|' .. ARGV[4])
return token
"""


def _generation_key() -> str:
    return f"{cache.key_prefix}:pubgen"


def _state_key() -> str:
    return f"{cache.key_prefix}:pubstate"


def _answer_prefix() -> str:
    return f"{cache.key_prefix}:answer:"


def answers_forget() -> None:
    try:
        client = redis_client()
        pipe = client.pipeline(transaction=True)
        pipe.incr(_generation_key())
        pipe.delete(_state_key())
        pipe.execute()
        local_caches.announce("forget")
    except Exception:
        # Nothing may be served from a state we could not retire: fail loudly in the log; the
        # stored answers expire on their own (IPI_ANSWER_CACHE_SECONDS).
        logger.error("stored answers not invalidated: Redis unreachable", exc_info=True)


def publication_changed() -> None:
    """What readers see may have changed: forget the publication token now and, inside a
    transaction, again after it commits."""
    answers_forget()
    transaction.on_commit(answers_forget, robust=True)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass
class Pending:
    """What the view's answer is stored under, once the view has made it."""

    token: str
    digest: str
    sdmx: bool


def _digest(request: HttpRequest, view: str) -> str:
    meta = request.META
    return _digest_of(
        (
            SHAPE_VERSION,
            view,
            request.path,
            meta.get("QUERY_STRING", ""),
            meta.get("HTTP_ACCEPT", ""),
            meta.get("HTTP_HOST", ""),
            str(_setting("IPI_API_MAX_AGE", 0)),
        )
    )


@functools.lru_cache(maxsize=4096)
def _digest_of(parts: tuple[str, ...]) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def _bearer(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or " " in token or not token.isascii():
        return None  # the view says what is wrong
    return token


@dataclass
class _Asked:
    """What a request asks, as the answers are kept."""

    limit: int
    period: int
    digest: str
    conditional: bool
    hashed: str
    address: str
    now_ms: int


def _asked(request: HttpRequest, view: str) -> _Asked | None:
    """None for a request no stored answer may answer (not a GET, no bearer token, the store
    off)."""
    if request.method != "GET" or not getattr(settings, "IPI_ANSWER_STORE", True):
        return None
    token = _bearer(request)
    if token is None:
        return None
    limit, period = _rate(getattr(settings, "IPI_API_RATE", DEFAULT_RATE))
    meta = request.META
    return _Asked(
        limit=limit,
        period=period,
        digest=_digest(request, view),
        conditional="HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta,
        hashed=_token_hashed(token),
        address=client_ip(request),
        now_ms=int(time.time() * 1000),
    )


def _from_memory(request: HttpRequest, asked: _Asked, sdmx: bool) -> HttpResponseBase | None:
    local = local_answers.answer(
        asked.hashed, asked.address, asked.digest, asked.limit, asked.now_ms
    )
    if local is None:
        return None
    if asked.limit > 0:
        _rate_limit_state(request, asked.limit, local.counted, local.ttl_ms)
    return _response(request.META, local.head, local.body, asked.conditional, sdmx)


def answer_from_memory(request: HttpRequest) -> HttpResponseBase | None:
    """The answer this process can give `request` from memory, before its URL is even
    resolved (RepeatedAnswersMiddleware), for a request it has routed before."""
    route = local_answers.route_of(request)
    if route is None:
        return None
    view, sdmx = route
    asked = _asked(request, view)
    return None if asked is None else _from_memory(request, asked, sdmx)


def answer_serve(
    request: HttpRequest, view: str, *, sdmx: bool = False
) -> tuple[HttpResponseBase | None, Pending | None]:
    """The stored answer to `request` (a 200 or a 304), or None and, when the view's answer
    may be stored, where."""
    asked = _asked(request, view)
    if asked is None:
        return None, None
    local_answers.route_learn(request, view, sdmx)
    if (remembered := _from_memory(request, asked, sdmx)) is not None:
        return remembered, None
    limit, period, digest, conditional = asked.limit, asked.period, asked.digest, asked.conditional
    hashed, address, now_ms = asked.hashed, asked.address, asked.now_ms
    meta = request.META
    # Read before the script: what it says is kept only if nothing was forgotten meanwhile.
    epoch = local_caches.epoch()
    listening = local_caches.listening()
    ident, owed = local_answers.pending_take(hashed)
    copy = local_answers.copy_of(digest)
    try:
        found = redis_script("answer-serve", _SERVE)(
            args=[
                auth_failures_key(address),
                _setting("IPI_AUTH_FAILURES_PER_WINDOW", DEFAULT_FAILURES),
                credential_cache.generation_key(),
                credential_cache.entry_prefix(),
                hashed,
                rate_key_prefix(),
                period * 1000 if limit > 0 else 0,
                _state_key(),
                _answer_prefix(),
                digest,
                now_ms,
                _generation_key(),
                copy.token if copy is not None else "",
                owed,
            ]
        )
    except Exception:
        local_answers.pending_return(ident, owed)
        logger.warning("stored answers unavailable: Redis unreachable", exc_info=True)
        return None, None
    known = found[0] == b"ok"
    if not known:
        local_answers.pending_return(ident, owed)
    if found[0] == b"locked":
        return None, None
    _, credential, count, ttl, answer_token, head, body = found[:7]
    if known and limit > 0:
        rate_limit_counted(request, int(count), int(ttl))
        if int(count) > limit:
            return None, None  # the view refuses (the count is taken), with Retry-After
        _rate_limit_state(request, limit, int(count), int(ttl))
    if answer_token is None:
        made = _token_make(found[7])
        return None, (Pending(made, digest, sdmx) if made else None)
    pending = Pending(answer_token.decode(), digest, sdmx)
    if not known:
        return None, pending  # the view answers (and authenticates): its 200 is kept
    if head == b"=" and copy is not None:
        stored, body = copy.head, copy.body
    elif body is None:
        return None, pending  # its body expired before its head: the view answers again
    else:
        stored = json.loads(head)
    local_answers.copy_keep(digest, pending.token, stored, body)
    if listening:
        local_answers.remember(
            epoch,
            token_hash=hashed,
            ident=credential.decode().partition("|")[0],
            credential_ms=int(found[8]),
            address=address,
            token=pending.token,
            valid=found[7].decode(),
            count=int(count),
            ttl_ms=int(ttl),
            window_ms=period * 1000 if limit > 0 else 0,
            now_ms=now_ms,
        )
    return _response(meta, stored, body, conditional, sdmx), None


# The tokens this process saw last (a repeated request hashes nothing): the process holds a
# request's token anyway while it answers it.
_token_hashed = functools.lru_cache(maxsize=4096)(token_hash)
_rate = functools.lru_cache(maxsize=16)(parse_rate)


def _rate_limit_state(request: HttpRequest, limit: int, count: int, ttl_ms: int) -> None:
    """For RateLimitHeadersMiddleware: where the credential stands."""
    request.rate_limit = (limit, max(limit - count, 0), ttl_ms / 1000)  # type: ignore[attr-defined]


def _response(
    meta: dict, stored: dict, body: bytes, conditional: bool, sdmx: bool
) -> HttpResponseBase:
    """A stored answer's 304 (for a client whose copy is current) or 200."""
    if conditional and is_fresh_for(meta, stored["etag"], stored["last_modified"]):
        response: HttpResponseBase = HttpResponseNotModified()
        for name, value in stored["headers_304"]:
            response[name] = value
        return response
    if sdmx:
        body = xmlutil.message_fill(body)
    response = HttpResponse(body)
    for name, value in stored["headers"]:
        response[name] = value
    return response


def _token_make(generation: bytes | None) -> str | None:
    """A new publication token, valid until the next scheduled release falls due; None when
    a publication came in meanwhile (this request's answer is then not stored)."""
    now = timezone.now()
    due = Release.objects.filter(status=Release.Status.SCHEDULED, release_at__gt=now).aggregate(
        next=Min("release_at")
    )["next"]
    valid = "" if due is None else str(int(due.timestamp() * 1000))
    try:
        made = redis_script("answer-token", _MAKE)(
            args=[
                _generation_key(),
                _state_key(),
                (generation or b"0").decode(),
                valid,
            ]
        )
    except Exception:
        logger.warning("no publication token: Redis unreachable", exc_info=True)
        return None
    return None if made is None else str(made)


def answer_store(
    pending: Pending | None,
    response: HttpResponseBase,
    not_modified_headers: Callable[[], list[tuple[str, str]]],
) -> HttpResponseBase:
    """Keep the view's 200 under `pending` (the rest as it is), with the headers its 304
    would have; returns the response to send, its streamed body re-chained when it had to be
    read to be kept."""
    if pending is None or response.status_code != 200:
        return response
    most = _setting("IPI_ANSWER_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES)
    if getattr(response, "streaming", False):
        chunks: list[bytes] = []
        size = 0
        stream: Iterator[bytes] = iter(response.streaming_content)  # type: ignore[attr-defined]
        for chunk in stream:
            chunks.append(chunk)
            size += len(chunk)
            if size > most:
                break
        body = b"".join(chunks)
        if pending.sdmx:
            template, body = body, xmlutil.message_fill(body)
        else:
            template = body
        if size > most:
            response.streaming_content = chain([body], stream)  # type: ignore[attr-defined]
            return response
        response.streaming_content = [body]  # type: ignore[attr-defined]
    else:
        render = getattr(response, "render", None)
        if render is not None:
            render()
        template = response.content  # type: ignore[attr-defined]
        if len(template) > most:
            return response
    _keep(pending, response, template, not_modified_headers())
    return response


def _keep(
    pending: Pending,
    response: HttpResponseBase,
    body: bytes,
    not_modified_headers: list[tuple[str, str]],
) -> None:
    modified = response.get("Last-Modified")
    last_modified: int | None = None
    if modified:
        from django.utils.http import parse_http_date_safe

        last_modified = parse_http_date_safe(modified)
    head = json.dumps(
        {
            "etag": response.get("ETag", ""),
            "last_modified": last_modified,
            "headers": list(response.items()),
            "headers_304": not_modified_headers,
        }
    )
    key = f"{_answer_prefix()}{pending.token}:{pending.digest}"
    seconds = _setting("IPI_ANSWER_CACHE_SECONDS", DEFAULT_SECONDS)
    try:
        pipe = redis_client().pipeline(transaction=False)
        pipe.set(f"{key}:b", body, ex=seconds)
        pipe.set(f"{key}:h", head, ex=seconds)
        pipe.execute()
    except Exception:
        logger.warning("answer not stored: Redis unreachable", exc_info=True)
