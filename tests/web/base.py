"""People who sign in to the web pages, one per kind of agency (like tests/base.py's personas)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings

from countries.models import Agency
from indices.receive.models import Submission
from indices.receive.services import SubmissionOptions, submission_create
from indices.validate.services import submission_validate
from tests.factories import ReaderAgencyFactory
from tests.indices.publishing import in_this_process

URLCONF = "tests.web.urls"
PASSWORD = "correct horse battery staple"
THAI = "ข้อมูลเดือนมกราคม ปรับปรุงแล้ว"


def make_user(username: str, agency: Agency | None):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, agency=agency)


def validated(content: bytes, agency_id: str = "TH_OIE", **options) -> Submission:
    """A submission created and validated in this process (nothing queued for a worker)."""
    with in_this_process():
        submission, _ = submission_create(
            agency=Agency.objects.get(pk=agency_id),
            credential=None,
            chunks=[content],
            original_name="upload.csv",
            media_type="text/csv",
            options=SubmissionOptions(**options),
        )
        submission_validate(submission.pk)
    submission.refresh_from_db()
    return submission


@override_settings(ROOT_URLCONF=URLCONF)
class WebTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.clerk = make_user("somchai", Agency.objects.get(pk="TH_OIE"))
        cls.other_clerk = make_user("lan", Agency.objects.get(pk="VN_NSO"))
        cls.secretariat = make_user("sec", Agency.objects.get(pk="MKG_SEC"))
        cls.reader = make_user("reader", ReaderAgencyFactory(id="RESEARCH_WEB"))
        cls.nobody = make_user("nobody", None)

    def signed_in(self, user) -> None:
        self.client.force_login(user)
