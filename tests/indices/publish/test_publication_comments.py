"""An observation's COMMENT (STANDARD.md sections 2 and 6) is published on the member's level
series, is part of its vintage (a comment-only revision is a new vintage), and is carried by no
derived series."""

from __future__ import annotations

from django.test import TestCase

from countries.models import Country
from indices.disseminate.selectors.published import changes_since, observations_history
from indices.publish.models import PublishedObservation, Release, ValueAddedWeight
from indices.publish.releases import releases_publish_due
from tests.indices.comments import THAI, commented_csv
from tests.indices.publishing import accept, year_2021

LEVEL = "M.TH.C.N.IX"


def publish(content: bytes, agency: str = "TH_OIE") -> Release:
    submission = accept(content, agency)
    releases_publish_due()
    release = Release.objects.get(submission=submission)
    assert release.status == Release.Status.PUBLISHED
    return release


def comments(key: str) -> dict[str, str]:
    return {
        o.time_period: o.comment
        for o in PublishedObservation.objects.filter(series_key=key, valid_to=None)
        if o.comment
    }


class PublicationCommentTests(TestCase):
    def test_a_thai_comment_is_published_on_the_level_series_only(self):
        for code, value in (("TH", 300), ("VN", 100)):
            for year in (2020, 2021):
                ValueAddedWeight.objects.create(
                    country=Country.objects.get(pk=code), activity="C", year=year, value_added=value
                )
        publish(commented_csv("VN", {**year_2021(), "2022-01": 130}, {}), agency="VN_NSO")
        publish(commented_csv("TH", {**year_2021(), "2022-01": 110}, {"2022-01": THAI}))
        self.assertEqual(comments(LEVEL), {"2022-01": THAI})
        keys = set(PublishedObservation.objects.values_list("series_key", flat=True))
        self.assertIn("M.MKG.C.N.IX", keys)
        self.assertIn("M.TH.C.N.PCH_SM", keys)
        for key in sorted(keys - {LEVEL}):
            with self.subTest(key=key):
                self.assertEqual(comments(key), {})

    def test_a_revision_that_only_changes_the_comment_opens_a_new_vintage(self):
        values = {**year_2021(), "2022-01": 110}
        publish(commented_csv("TH", values, {"2022-01": "first estimate"}))
        release = publish(commented_csv("TH", {"2022-01": 110}, {"2022-01": THAI}))
        history = [
            (o.value, o.comment, o.valid_to is None)
            for o in observations_history([LEVEL])
            if o.time_period == "2022-01"
        ]
        self.assertEqual(history, [(110.0, "first estimate", False), (110.0, THAI, True)])
        # The value did not move: nothing derived from it changed.
        self.assertEqual(release.changed_series, [LEVEL])
        self.assertEqual((release.observations_changed, release.observations_withdrawn), (1, 0))

    def test_the_same_comment_again_is_no_revision_and_dropping_it_is_one(self):
        publish(commented_csv("TH", {**year_2021(), "2022-01": 110}, {"2022-01": THAI}))
        again = publish(commented_csv("TH", {"2022-01": 110}, {"2022-01": THAI}))
        self.assertEqual(again.changed_series, [])
        self.assertEqual(again.observations_changed, 0)
        dropped = publish(commented_csv("TH", {"2022-01": 110}, {}))
        self.assertEqual(dropped.changed_series, [LEVEL])
        self.assertEqual(comments(LEVEL), {})
        self.assertEqual(
            [o.comment for o in observations_history([LEVEL]) if o.time_period == "2022-01"],
            [THAI, ""],
        )

    def test_changes_since_carry_the_comment_of_updated_values(self):
        publish(commented_csv("TH", {**year_2021(), "2022-01": 110}, {}))
        since = Release.objects.get().published_at
        assert since is not None
        publish(commented_csv("TH", {"2022-01": 110}, {"2022-01": THAI}))
        changes = [c for c in changes_since(since) if c.series_key == LEVEL]
        self.assertEqual(
            [(c.time_period, c.action, c.comment) for c in changes], [("2022-01", "updated", THAI)]
        )
