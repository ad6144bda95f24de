"""GET /releases/: the release calendar. Published releases with what they changed; scheduled
ones with their time and country only: never their content, description or submission, since
the embargo covers everything but the announcement itself."""

from __future__ import annotations

from django.http import HttpResponseNotModified
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from indices.disseminate.apis.base import KnownCountPagination, ReadApi
from indices.disseminate.selectors.releases import release_calendar
from indices.disseminate.selectors.versions import releases_version
from indices.publish.models import Release
from ipi_exchange.http.params import invalid, parse_codes, parse_instant, reject_unknown
from ipi_exchange.http.schema import CODES_PATTERN, INSTANT_PATTERN, string

INSTANT = string(INSTANT_PATTERN)

STATUSES = {"published": Release.Status.PUBLISHED, "scheduled": Release.Status.SCHEDULED}


class ReleaseListApi(ReadApi):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "country", string(CODES_PATTERN), description="REF_AREA codes, comma-separated"
            ),
            OpenApiParameter("status", str, enum=sorted(STATUSES)),
            OpenApiParameter("after", INSTANT, description="ISO date or instant (inclusive)"),
            OpenApiParameter("before", INSTANT, description="ISO date or instant (exclusive)"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response | HttpResponseNotModified:
        params = request.query_params
        reject_unknown(params, ("country", "status", "after", "before", "limit", "offset"))
        releases = release_calendar(
            countries=parse_codes("country", params["country"]) if params.get("country") else (),
            status=_status(params.get("status", "")),
            after=parse_instant("after", params["after"]) if params.get("after") else None,
            before=parse_instant("before", params["before"]) if params.get("before") else None,
        )
        version = releases_version(releases)
        if (fresh := self.not_modified(request, version)) is not None:
            return fresh
        paginator = KnownCountPagination(version.count)
        page = paginator.paginate_queryset(releases, request, view=self)
        assert page is not None  # PAGE_SIZE is set: limit/offset always pages
        return paginator.get_paginated_response(ReleaseEntrySerializer(page, many=True).data)


def _status(text: str) -> str | None:
    if not text:
        return None
    wanted = text.strip().lower()
    if wanted not in STATUSES:
        raise invalid("status", "Use published or scheduled.", "invalid_choice")
    return STATUSES[wanted]


class ReleaseEntrySerializer(serializers.BaseSerializer):
    """A scheduled release shows only its country and time (the embargo covers everything but
    the announcement); a published one what it changed."""

    def to_representation(self, release: Release) -> dict:
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
