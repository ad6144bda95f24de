"""The exceptions domain code raises for a refusal the caller can act on.

Domain code says what kind of refusal it is; the edge (ipi_exchange/http/problems.py) alone
decides the HTTP status that kind is answered with.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """A request that the domain refuses as invalid.

    `code` is stable and machine-readable; `extra` carries structured details (for example a
    list of row findings) and is included in the response body as is.
    """

    def __init__(self, message: str, *, code: str = "invalid", extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class NotAllowed(ApplicationError):
    """The caller may not do this (its role or agency does not allow it)."""


class NotFound(ApplicationError):
    """What the request names does not exist (or is not the caller's to see)."""


class Conflict(ApplicationError):
    """The request contradicts the current state (e.g. confirming a rejected submission)."""


class TooLarge(ApplicationError):
    """The request is larger than the service accepts."""


class Unprocessable(ApplicationError):
    """Well-formed, but it cannot be carried out as asked (e.g. a reused idempotency key)."""


def upload_too_large(max_bytes: int) -> TooLarge:
    """The one refusal of an upload over IPI_MAX_UPLOAD_BYTES, whoever notices it: the file
    store while streaming, the upload view from Content-Length, the edge for chunked bodies."""
    return TooLarge(
        f"The upload is larger than the limit of {max_bytes:,} bytes; split the file by year "
        "or by series and upload the parts.",
        code="upload_too_large",
        extra={"max_bytes": max_bytes},
    )
