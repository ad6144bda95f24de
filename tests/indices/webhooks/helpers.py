"""Releases for the webhook tests, made as tests/indices/publishing.py makes them."""

from __future__ import annotations

from datetime import datetime

from indices.models import Release
from indices.services.publication import releases_publish_due
from indices.services.webhooks import webhooks_schedule
from tests.indices.publishing import accept, monthly_csv, year_2021


def accepted_release(content: bytes | None = None, agency: str = "TH_OIE", **options) -> Release:
    """An accepted submission's release, SCHEDULED (not yet published)."""
    return accept(content or monthly_csv("TH", "C", year_2021()), agency, **options).release


def publish_due(now: datetime | None = None) -> list[Release]:
    """Publish what is due and schedule its webhooks: release_publish does that after commit,
    which a TestCase never reaches (scheduling is idempotent)."""
    releases = [Release.objects.get(pk=pk) for pk in releases_publish_due(now=now)]
    for release in releases:
        webhooks_schedule(release)
    return releases
