"""Published data for the read API tests, produced the real way: submissions validated and
released by the publication service (tests/indices/services/test_publication.py)."""

from __future__ import annotations

from datetime import datetime

from django.test import override_settings
from django.utils import timezone

from countries.models import Agency
from indices.models import Submission
from indices.services.publication import releases_publish_due
from indices.services.submissions import SubmissionOptions, submission_create
from indices.services.validation_run import submission_validate
from tests.base import PersonaTestCase
from tests.indices.services.test_publication import monthly_csv, year_2021

URLCONF = "tests.indices.series.urls"


def accept(content: bytes, agency: str = "TH_OIE", **options) -> Submission:
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
    """Accept and publish now; returns an instant just before publication."""
    before = timezone.now()
    accept(content, agency, **options)
    releases_publish_due()
    return before


TH_2022 = {"2022-01": 110.123456, "2022-02": 104.5, "2022-03": 99.87654}


@override_settings(ROOT_URLCONF=URLCONF, IPI_API_RATE="100000/minute")
class ReadApiTestCase(PersonaTestCase):
    """TH manufacturing 2021-01..2022-03 (2022-03 provisional) and VN manufacturing 2021."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        publish(monthly_csv("TH", "C", {**year_2021(), **TH_2022}))
        # 2022-03 becomes provisional: a second vintage of one observation.
        cls.before_revision = publish(monthly_csv("TH", "C", {"2022-03": 99.87654}, status="P"))
        publish(monthly_csv("VN", "C", year_2021()), agency="VN_NSO")


INSTANT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"


def normalized(body: object) -> object:
    """The body with every instant replaced by "<instant>" (they differ on each run)."""
    import json
    import re

    return json.loads(re.sub(INSTANT, "<instant>", json.dumps(body)))
