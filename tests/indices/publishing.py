"""Published data for the read tests (series API, SDMX, web pages, webhooks), made the way
production makes it: a submission uploaded, validated and accepted, then its release published
by the publication service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.utils import timezone

from countries.models import Agency, NationalClassification
from countries.services import concordance_upload
from indices.publish.releases import releases_publish_due
from indices.receive.models import Submission
from indices.receive.services import SubmissionOptions, submission_create
from indices.validate.services import submission_validate

# 2021 averages exactly 100 (base year of the series and the reference year).
YEAR_2021 = [98, 96, 104, 90, 100, 101, 102, 103, 99, 100, 105, 102]


def monthly_csv(
    area: str, activity: str, values: dict[str, float], *, status: str = "A", base: int = 2021
) -> bytes:
    lines = ["REF_AREA,ACTIVITY,TIME_PERIOD,OBS_VALUE,OBS_STATUS,BASE_PER"]
    lines += [
        f"{area},{activity},{period},{value},{status},{base}" for period, value in values.items()
    ]
    return ("\n".join(lines) + "\n").encode()


def year_2021(scale: float = 1.0) -> dict[str, float]:
    return {f"2021-{m:02d}": v * scale for m, v in enumerate(YEAR_2021, start=1)}


def csv_for(series: int, years: range) -> bytes:
    """`series` ISIC divisions x adjustments, monthly over `years`, each 2021 averaging 100."""
    codes = [(f"{d:02d}", a) for d in range(10, 34) for a in "NSWYT"][:series]
    lines = ["REF_AREA,ACTIVITY,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER"]
    for activity, adjustment in codes:
        for year in years:
            for month in range(1, 13):
                value = 100 + (month - 6.5) * 0.2 + (year - 2021) * 2
                lines.append(f"TH,{activity},{adjustment},{year}-{month:02d},{value:.4f},2021")
    return ("\n".join(lines) + "\n").encode()


@contextmanager
def in_this_process() -> Iterator[None]:
    """Validation is not queued for a worker while the block runs."""
    with mock.patch("indices.validate.tasks.validate_submission.delay_on_commit"):
        yield


def accept(content: bytes, agency: str = "TH_OIE", **options) -> Submission:
    """Upload and validate in this process, warnings acknowledged; its release is SCHEDULED,
    not yet published (and the publisher queued, as acceptance does). The validation is not
    queued: a worker a test module keeps running would race this process for it."""
    with in_this_process():
        submission, _ = submission_create(
            agency=Agency.objects.get(pk=agency),
            credential=None,
            chunks=[content],
            original_name="t.csv",
            media_type="text/csv",
            options=SubmissionOptions(acknowledge_warnings=True, **options),
        )
        submission_validate(submission.pk)
    submission.refresh_from_db()
    assert submission.status == "ACCEPTED", submission.summary
    return submission


def publish(content: bytes, agency: str = "TH_OIE", **options) -> datetime:
    """Accept and publish what is due, in this process; returns an instant just before
    publication. The publisher is not queued: a worker a test module keeps running (with its
    own file store) would race this process for the release."""
    before = timezone.now()
    with mock.patch("indices.publish.tasks.publish_releases.delay_on_commit"):
        accept(content, agency, **options)
    releases_publish_due()
    return before


def thai_concordance(codes: dict[str, tuple[str, str]]) -> None:
    """A version of Thailand's concordance (TSIC2009): national code -> (ISIC code, weight)."""
    concordance_upload(
        classification=NationalClassification.objects.get(pk="TSIC2009"),
        raw_rows=[
            {"national_code": code, "isic_code": isic, "weight": weight}
            for code, (isic, weight) in codes.items()
        ],
        created_by=Agency.objects.get(pk="MKG_SEC"),
    )
