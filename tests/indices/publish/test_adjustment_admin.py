"""The secretariat records and withdraws adjustment opt-outs in the Django admin: through the
same services as `manage.py adjustment_opt_out`, audited with the signed-in person, the series
adjusted again once the change commits. The series is too short for X-13 (no run)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase

from countries.models import Agency, AuditEvent
from indices.publish.models import AdjustmentOptOut, Release, SeriesAdjustment
from indices.publish.releases import releases_publish_due
from tests.indices.publish.test_adjustment_pipeline import seasonal
from tests.indices.publishing import accept, monthly_csv
from tests.web.base import make_user

KEY = "M.TH.C.N.IX"
ADD = "/admin/indices/adjustmentoptout/add/"
LIST = "/admin/indices/adjustmentoptout/"


@pytest.mark.usefixtures("eager_celery")
class AdjustmentOptOutAdminTests(TestCase):
    def setUp(self) -> None:
        accept(monthly_csv("TH", "C", seasonal("TH", years=range(2021, 2023))))
        with self.captureOnCommitCallbacks(execute=True):
            releases_publish_due()
        self.source = Release.objects.get(submission__isnull=False)
        self.assertEqual(SeriesAdjustment.objects.get(pk=KEY).status, "NOT_ADJUSTED")
        self.secretariat = get_user_model().objects.create_user(
            username="malee", password="x", agency=Agency.objects.get(pk="MKG_SEC")
        )
        self.secretariat.is_staff = self.secretariat.is_superuser = True
        self.secretariat.save()
        self.client.force_login(self.secretariat)

    def audit(self, action: str) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action=action, object_id=KEY).order_by("id"))

    def test_an_opt_out_recorded_edited_and_withdrawn_in_the_admin_is_audited_and_applied(self):
        self.assertEqual(self.client.get(ADD).status_code, 200)
        with self.captureOnCommitCallbacks(execute=True):
            answer = self.client.post(ADD, {"series_key": KEY, "reason": "administrative series"})
        self.assertEqual(answer.status_code, 302, answer.content)
        opt_out = AdjustmentOptOut.objects.get()
        self.assertEqual((opt_out.reason, opt_out.recorded_by), ("administrative series", "malee"))
        (recorded,) = self.audit("adjustment.opted_out")
        self.assertEqual((recorded.actor, recorded.agency), ("malee", "MKG_SEC"))
        self.assertEqual(recorded.details, {"reason": "administrative series"})
        # Adjusted again after the commit (here, in this process): skipped, with the finding,
        # and published by a follow-up release of the member's release.
        row = SeriesAdjustment.objects.get(pk=KEY)
        self.assertEqual(row.status, "OPTED_OUT")
        self.assertIn("opted out by the member", row.findings[0])
        self.assertIn("administrative series", row.published["findings"][0])
        self.assertEqual(Release.objects.filter(adjusts=self.source).count(), 2)

        # A new reason: recorded again, audited again; the key itself cannot change.
        change = f"{LIST}{KEY}/change/"
        page = self.client.get(change)
        self.assertNotContains(page, 'name="series_key"')
        with self.captureOnCommitCallbacks(execute=True):
            answer = self.client.post(change, {"reason": "no seasonality"})
        self.assertEqual(answer.status_code, 302, answer.content)
        self.assertEqual(AdjustmentOptOut.objects.get().reason, "no seasonality")
        self.assertEqual(len(self.audit("adjustment.opted_out")), 2)
        published = SeriesAdjustment.objects.get(pk=KEY).published
        self.assertIn("no seasonality", published["findings"][0])  # the readers' reason too

        # Withdrawn with the list's action (no plain delete there): audited, adjusted again.
        listing = self.client.get(LIST)
        self.assertContains(listing, "Withdraw the selected opt-outs")
        self.assertNotContains(listing, "delete_selected")
        with self.captureOnCommitCallbacks(execute=True):
            answer = self.client.post(
                LIST, {"action": "withdraw", "_selected_action": [KEY]}, follow=True
            )
        self.assertContains(answer, f"Withdrawn: {KEY}.")
        self.assertFalse(AdjustmentOptOut.objects.exists())
        (withdrawn,) = self.audit("adjustment.opt_out_withdrawn")
        self.assertEqual(withdrawn.actor, "malee")
        self.assertEqual(SeriesAdjustment.objects.get(pk=KEY).status, "NOT_ADJUSTED")
        self.assertEqual(Release.objects.filter(adjusts=self.source).count(), 4)

    def test_the_delete_page_withdraws_through_the_service(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(ADD, {"series_key": KEY, "reason": "administrative series"})
        with self.captureOnCommitCallbacks(execute=True):
            answer = self.client.post(f"{LIST}{KEY}/delete/", {"post": "yes"})
        self.assertEqual(answer.status_code, 302, answer.content)
        self.assertFalse(AdjustmentOptOut.objects.exists())
        self.assertEqual(len(self.audit("adjustment.opt_out_withdrawn")), 1)
        self.assertEqual(SeriesAdjustment.objects.get(pk=KEY).status, "NOT_ADJUSTED")

    def test_a_key_that_is_not_a_members_monthly_n_series_or_no_reason_is_refused(self):
        for key, reason, problem in (
            ("M.MKG.C.N.IX", "x", "regional aggregate"),
            ("A.TH.C.N.IX", "x", "not a monthly N index series key"),
            ("M.TH.C.Y.IX", "x", "not a monthly N index series key"),
            (KEY, "   ", "This field is required"),
        ):
            answer = self.client.post(ADD, {"series_key": key, "reason": reason})
            self.assertEqual(answer.status_code, 200, key)
            self.assertContains(answer, problem)
        self.assertFalse(AdjustmentOptOut.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action__startswith="adjustment.").exists())

    def test_only_the_secretariats_staff_reach_it_and_the_status_list_is_read_only(self):
        self.assertContains(self.client.get("/admin/indices/seriesadjustment/"), KEY)
        self.assertEqual(self.client.get("/admin/indices/seriesadjustment/add/").status_code, 403)
        self.client.force_login(make_user("somchai", Agency.objects.get(pk="TH_OIE")))
        self.assertEqual(self.client.get(ADD).status_code, 302)  # to the admin's login
        self.client.post(ADD, {"series_key": KEY, "reason": "mine"})
        self.assertFalse(AdjustmentOptOut.objects.exists())
