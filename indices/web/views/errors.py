"""Django-level refusals a person on the web pages can meet, as pages of the site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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
