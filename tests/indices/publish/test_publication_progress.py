"""A submission's publication, visible in its API answer and its page: scheduled, then each
stage with its count as the publisher goes (kept in Redis: the publication's transaction shows
nothing before it commits), then published with the values it opened."""

from unittest import mock

from django.core.cache import cache

from indices.publish.models import Release
from indices.publish.releases import releases_publish_due
from indices.receive import progress
from indices.receive.models import Submission
from tests.base import PersonaTestCase
from tests.indices.publishing import accept, csv_for, monthly_csv, year_2021
from tests.web.base import make_user


class PublicationProgressTests(PersonaTestCase):
    def setUp(self):
        cache.clear()

    def progress(self, submission) -> dict:
        response = self.our.client().get(f"/api/v1/submissions/{submission.pk}/")
        self.assertEqual(response.status_code, 200)
        return response.json()["progress"]

    def test_the_api_shows_scheduled_each_stage_with_its_count_then_published(self):
        submission = accept(csv_for(2, range(2020, 2023)))
        self.assertEqual(
            self.progress(submission)["publication"], {"stage": "scheduled", "count": 0}
        )
        seen = []
        report = progress.report_publication

        def watched(submission_id, *, stage, count):
            report(submission_id, stage=stage, count=count)  # the real report, then a look
            seen.append((stage, count, self.progress(submission)["publication"]))

        with mock.patch.object(progress, "report_publication", watched):
            releases_publish_due()
        stages = [stage for stage, _, _ in seen]
        # harmonizing twice: as it starts, then with the stored values it read
        self.assertEqual(
            stages, ["storing", "harmonizing", "harmonizing", "aggregating", "vintages"]
        )
        for stage, count, shown in seen:  # what the API answered during the publication
            self.assertEqual(shown, {"stage": stage, "count": count})
        self.assertEqual(seen[0][1], 72)  # rows stored
        self.assertEqual(seen[2][1], 72)  # stored values read
        self.assertEqual(seen[3][1], 18)  # 2 activities x (M, Q, A) x (IX, PCH_PRE, PCH_SM)
        release = Release.objects.get(submission=submission)
        self.assertEqual(seen[4][1], release.observations_changed)  # all new
        self.assertEqual(
            self.progress(submission)["publication"],
            {"stage": "published", "count": release.observations_changed},
        )

    def test_an_unaccepted_submission_has_no_publication(self):
        received = Submission(status=Submission.Status.RECEIVED)
        self.assertNotIn("publication", progress.submission_progress(received))

    def test_the_page_shows_the_publication(self):
        submission = accept(monthly_csv("TH", "C", year_2021()))
        self.client.force_login(make_user("somchai", self.our.agency))
        page = self.client.get(f"/submissions/{submission.pk}/")
        self.assertContains(page, '<dd data-role="publication">scheduled</dd>', html=False)
        releases_publish_due()
        release = Release.objects.get(submission=submission)
        page = self.client.get(f"/submissions/{submission.pk}/")
        self.assertContains(
            page,
            f"published ({release.observations_changed:,} values new or revised)",
        )
        polled = self.client.get(f"/submissions/{submission.pk}/progress.json").json()
        self.assertEqual(
            polled["publication"],
            f"published ({release.observations_changed:,} values new or revised)",
        )
