"""Publishing a release in tests, as tests/indices/services/test_publication.py does."""

from __future__ import annotations

from datetime import datetime

from countries.models import Agency
from indices.models import Release
from indices.services.publication import releases_publish_due
from indices.services.submissions import SubmissionOptions, submission_create
from indices.services.validation_run import submission_validate
from indices.services.webhooks import webhooks_schedule

YEAR_2021 = [98, 96, 104, 90, 100, 101, 102, 103, 99, 100, 105, 102]


def monthly_csv(area: str = "TH", activity: str = "C", extra: dict | None = None) -> bytes:
    values = {f"2021-{m:02d}": v for m, v in enumerate(YEAR_2021, start=1)} | (extra or {})
    lines = ["REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,BASE_PER"]
    lines += [f"{area},{activity},{period},{value},A,2021" for period, value in values.items()]
    return ("\n".join(lines) + "\n").encode()


def accepted_release(content: bytes | None = None, agency: str = "TH_OIE", **options) -> Release:
    """An accepted submission's release, SCHEDULED (not yet published)."""
    submission, _ = submission_create(
        agency=Agency.objects.get(pk=agency),
        credential=None,
        chunks=[content or monthly_csv()],
        original_name="t.csv",
        media_type="text/csv",
        options=SubmissionOptions(acknowledge_warnings=True, **options),
    )
    submission_validate(submission.pk)
    submission.refresh_from_db()
    assert submission.status == "ACCEPTED", submission.summary
    return submission.release


def publish_due(now: datetime | None = None) -> list[Release]:
    """Publish what is due and schedule its webhooks: release_publish does that after commit,
    which a TestCase never reaches (scheduling is idempotent)."""
    releases = [Release.objects.get(pk=pk) for pk in releases_publish_due(now=now)]
    for release in releases:
        webhooks_schedule(release)
    return releases
