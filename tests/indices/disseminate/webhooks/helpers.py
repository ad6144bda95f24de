"""Releases for the webhook tests, made as tests/indices/publishing.py makes them."""

from __future__ import annotations

from datetime import datetime

from indices.disseminate.webhooks.tasks import release_announce
from indices.publish.models import Release
from indices.publish.releases import releases_publish_due
from tests.indices.publishing import accept, monthly_csv, year_2021


def accepted_release(content: bytes | None = None, agency: str = "TH_OIE", **options) -> Release:
    """An accepted submission's release, SCHEDULED (not yet published)."""
    return accept(content or monthly_csv("TH", "C", year_2021()), agency, **options).release


def publish_due(now: datetime | None = None) -> list[Release]:
    """Publish what is due and announce it to webhooks: release_publish does that after commit,
    which a TestCase never reaches (announcing is idempotent)."""
    releases = [Release.objects.get(pk=pk) for pk in releases_publish_due(now=now)]
    for release in releases:
        release_announce(release)
    return releases
