"""The one exception domain code raises for a refusal the caller can act on."""

from __future__ import annotations


class ApplicationError(Exception):
    """A request that the domain refuses: mapped to a 4xx problem+json by the API layer.

    `code` is stable and machine-readable; `extra` carries structured details (for example a
    list of row findings) and is included in the response body as is.
    """

    def __init__(
        self, message: str, *, code: str = "invalid", status: int = 400, extra: dict | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.extra = extra or {}
