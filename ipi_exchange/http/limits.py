"""Requests too large for the service are refused with problem+json, like every other 4xx.

gunicorn (ipi_exchange/gunicorn.conf.py) lets through request lines and header fields larger
than the limits here, so that this middleware, not gunicorn's HTML pages, answers them:

- a request target (path and query) over MAX_REQUEST_TARGET characters: 414;
- a header field (name and value) over MAX_HEADER_FIELD bytes: 431.

And bodies sent with `Transfer-Encoding: chunked` (no Content-Length) are read, which Django
alone never does: it reads as many bytes as Content-Length says, and without one sees no body.
`ChunkedBodies` (wrapping the WSGI application in ipi_exchange/wsgi.py) reads such a body into
a spooled file and hands it on with its Content-Length, so the views see it as any other; one
over the largest upload is not kept, and the middleware answers 413 problem+json, like an
upload whose Content-Length is over the limit.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ipi_exchange.errors import upload_too_large
from ipi_exchange.http.problems import problem_response

# gunicorn's own defaults before this service raised them; far above any address the API makes.
MAX_REQUEST_TARGET = 8190
MAX_HEADER_FIELD = 8190
# Room for a multipart body's boundaries and fields around the file, as in the upload API
# (indices/apis/submissions.py, MULTIPART_OVERHEAD).
MULTIPART_ALLOWANCE = 64 * 1024
# After a chunked body over the limit, this much more is read and dropped so that a client
# still sending can read the 413 (the connection is closed after it).
DRAIN_BYTES = 1024 * 1024
BODY_TOO_LARGE = "ipi_exchange.body_too_large"  # the WSGI environ key ChunkedBodies sets


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = refuse_oversized(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)


def refuse_oversized(request: HttpRequest) -> HttpResponse | None:
    if request.META.get(BODY_TOO_LARGE):
        refused = upload_too_large(settings.IPI_MAX_UPLOAD_BYTES)
        return problem_response(413, code=refused.code, detail=refused.message, **refused.extra)
    # RAW_URI: the target exactly as sent (gunicorn); else the decoded path and the query.
    target = request.META.get("RAW_URI") or request.get_full_path()
    if len(target) > MAX_REQUEST_TARGET:
        return problem_response(
            414,
            code="uri_too_long",
            detail=(
                f"The request's address is {len(target):,} characters long; the limit is "
                f"{MAX_REQUEST_TARGET:,}. Ask for fewer series at a time, or for the whole "
                "dataflow at /api/v1/bulk/data.csv."
            ),
            max_length=MAX_REQUEST_TARGET,
        )
    for key, value in request.META.items():
        if not (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")):
            continue
        name = key.removeprefix("HTTP_").replace("_", "-").title()
        size = len(name) + 2 + len(str(value))
        if size > MAX_HEADER_FIELD:
            return problem_response(
                431,
                code="header_too_large",
                detail=(
                    f"The request header {name} is {size:,} bytes long; the limit is "
                    f"{MAX_HEADER_FIELD:,}."
                ),
                header=name,
                max_bytes=MAX_HEADER_FIELD,
            )
    return None


class ChunkedBodies:
    """WSGI middleware: a chunked request body, read to its end (gunicorn decodes the chunks
    and sets `wsgi.input_terminated`), handed on with a Content-Length."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if environ.get("CONTENT_LENGTH") or not chunked or not environ.get("wsgi.input_terminated"):
            return self.application(environ, start_response)
        limit = settings.IPI_MAX_UPLOAD_BYTES + MULTIPART_ALLOWANCE
        stream = environ["wsgi.input"]
        # Closed with the response (_Closing), not in this block: the views read it.
        body: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        )
        size = 0
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > limit:
                body.close()
                body, size = io.BytesIO(), 0
                environ[BODY_TOO_LARGE] = True
                _drain(stream, DRAIN_BYTES)
                break
            body.write(chunk)
        body.seek(0)
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(size)
        return _Closing(self.application(environ, start_response), body.close)


def _drain(stream: Any, most: int) -> None:
    while most > 0 and (chunk := stream.read(min(most, 64 * 1024))):
        most -= len(chunk)


class _Closing:
    """The application's response, and one more thing to close with it (the spooled body)."""

    def __init__(self, response: Iterable[bytes], close: Callable[[], None]) -> None:
        self.response = response
        self._close = close

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def close(self) -> None:
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self._close()
