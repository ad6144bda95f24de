"""GET /releases/: the release calendar. Published releases with what they changed; scheduled
ones with their time and country only: never their content, description or submission, since
the embargo covers everything but the announcement itself."""

from __future__ import annotations

from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce
from django.http import HttpResponseNotModified
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from indices.disseminate.apis.base import KnownCountPagination, ReadApi
from indices.disseminate.selectors.versions import releases_version
from indices.publish.models import Release
from ipi_exchange.http.conditional import Validator, request_parts
from ipi_exchange.http.params import invalid, parse_codes, parse_instant, reject_unknown

STATUSES = {"published": Release.Status.PUBLISHED, "scheduled": Release.Status.SCHEDULED}


class ReleaseListApi(ReadApi):
    @extend_schema(
        parameters=[
            OpenApiParameter("country", str, description="REF_AREA codes, comma-separated"),
            OpenApiParameter("status", str, enum=sorted(STATUSES)),
            OpenApiParameter("after", str, description="ISO date or instant (inclusive)"),
            OpenApiParameter("before", str, description="ISO date or instant (exclusive)"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response | HttpResponseNotModified:
        params = request.query_params
        reject_unknown(params, ("country", "status", "after", "before", "limit", "offset"))
        # FAILED releases are the secretariat's to look at, not part of the calendar.
        releases = Release.objects.filter(status__in=STATUSES.values()).annotate(
            at=Coalesce("published_at", "release_at")
        )
        if params.get("country"):
            releases = releases.filter(ref_area__in=parse_codes("country", params["country"]))
        if params.get("status"):
            wanted = params["status"].strip().lower()
            if wanted not in STATUSES:
                raise invalid("status", "Use published or scheduled.", "invalid_choice")
            releases = releases.filter(status=STATUSES[wanted])
        if params.get("after"):
            releases = releases.filter(at__gte=parse_instant("after", params["after"]))
        if params.get("before"):
            releases = releases.filter(at__lt=parse_instant("before", params["before"]))
        version = releases_version(releases)
        validator = Validator.of(
            *request_parts(request),
            version.count,
            version.digest,
            version.last_modified,
            last_modified=version.last_modified,
        )
        if (fresh := self.revalidate(request, validator)) is not None:
            return fresh
        paginator = KnownCountPagination(version.count)
        # Upcoming first (soonest first), then the published ones, latest first.
        upcoming = Q(status=Release.Status.SCHEDULED)
        ordered = releases.order_by(
            Case(When(upcoming, then=0), default=1),
            Case(When(upcoming, then="release_at")).asc(),
            F("published_at").desc(),
            "-id",
        )
        page = paginator.paginate_queryset(ordered, request, view=self)
        assert page is not None  # PAGE_SIZE is set: limit/offset always pages
        return paginator.get_paginated_response([_entry(release) for release in page])


def _entry(release: Release) -> dict:
    if release.status == Release.Status.SCHEDULED:
        return {
            "status": "scheduled",
            "country": release.ref_area or None,
            "release_at": release.release_at,
        }
    return {
        "id": release.pk,
        "status": "published",
        "country": release.ref_area or None,
        "agency": release.agency_id,
        "release_at": release.release_at,
        "published_at": release.published_at,
        "description": release.description,
        "changed_series": release.changed_series,
        "series_changed": len(release.changed_series),
        "observations_changed": release.observations_changed,
        "observations_withdrawn": release.observations_withdrawn,
    }
