"""Django-level refusals a person on the web pages can meet, as pages of the site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ipi_exchange.http.problems import not_found_view

# Addresses of the programs' interfaces: there a missing address stays problem+json.
API_PREFIXES = ("/api/", "/sdmx/")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that is no longer valid: typically signed in again in another
    tab, or left open for a long time. Nothing was sent; saying so keeps the clerk calm."""
    return render(
        request,
        "web/error.html",
        {
            "title": "Please send the form again",
            "message": (
                "This page was opened before you last signed in (or a long time ago), so the "
                "form could not be accepted and nothing was sent. Go back, reload the page, "
                "and send the form again."
            ),
        },
        status=403,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The project's 404 (`handler404`): problem+json under the APIs, a page of the site
    anywhere else (a mistyped address in the browser, signed in or not)."""
    if request.path.startswith(API_PREFIXES):
        return not_found_view(request, exception)
    return render(
        request,
        "web/error.html",
        {
            "title": "Page not found",
            "message": (
                "There is no page at this address. Check it for a typing mistake, or start "
                "again from the start page."
            ),
        },
        status=404,
    )
