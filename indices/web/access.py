"""Who may see which page: signed-in people inherit the role of their agency.

The pages reuse the API's selectors, so a person is turned into the same `Principal` an API
credential would be, with every scope its agency's role allows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from countries.models import Agency
from countries.principals import SCOPES_BY_ROLE, Principal

LOGIN_URL = "web:login"


class PageRequest(HttpRequest):
    """The `request` of a page view behind the decorators below, which set its principal.
    An annotation only: Django builds the requests."""

    principal: Principal


def principal_of(request: HttpRequest) -> Principal | None:
    agency = getattr(request.user, "agency", None)
    if agency is None or not agency.is_active:
        return None
    return Principal(agency=agency, scopes=SCOPES_BY_ROLE[agency.role])


def agency_time_zone(agency: Agency) -> ZoneInfo:
    """The agency's local time zone (settings.IPI_COUNTRY_TIME_ZONES by its country), else UTC."""
    name = settings.IPI_COUNTRY_TIME_ZONES.get(agency.country_id or "", "UTC")
    return ZoneInfo(name)


def actor_of_user(request: HttpRequest) -> str:
    return f"{request.user.get_username()} (web)"


def can_work_with_submissions(principal: Principal | None) -> bool:
    return principal is not None and principal.agency.role != Agency.Role.READER


def _page(check: Callable[[Principal], bool] | None) -> Callable:
    """Login first; then a person without an (active) agency sees only a message, a person
    whose role does not allow the page a 403 page, and a missing object an HTML 404 page
    (the project's handlers answer problem+json, which suits the API, not a browser)."""

    def decorator(view: Callable) -> Callable:
        @login_required(login_url=LOGIN_URL)
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            principal = principal_of(request)
            if principal is None:
                return render(request, "web/no_agency.html", status=403)
            if check is not None and not check(principal):
                return render(
                    request,
                    "web/error.html",
                    {"title": "Not for your agency", "message": _refusal(principal)},
                    status=403,
                )
            cast(PageRequest, request).principal = principal
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return render(
                    request,
                    "web/error.html",
                    {"title": "Not found", "message": "There is nothing here for your agency."},
                    status=404,
                )

        return wrapped

    return decorator


def _refusal(principal: Principal) -> str:
    if principal.agency.role == Agency.Role.READER:
        return "Reader agencies see published data only: the series, the calendar and the board."
    return "This page is for another kind of agency."


any_agency = _page(None)
submissions_page = _page(can_work_with_submissions)
reporter_page = _page(
    lambda p: p.agency.role == Agency.Role.REPORTER and p.agency.country_id is not None
)
secretariat_page = _page(lambda p: p.is_secretariat)
