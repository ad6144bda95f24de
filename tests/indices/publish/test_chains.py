"""H6's chain kept between releases (publish/services/chains.py): a member's update chains its
groups on from the kept means of the year before the window, reading the members' levels of
the last years only, and publishes byte for byte what the full recomputation publishes (the
scenarios of test_windowed_harmonization.py, run both ways); the means it keeps are those the
chain from its start gives; kept means that are not the published values' are refused."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.db import transaction
from django.test import TestCase

from countries.models import Agency
from countries.standard import load_definition
from indices.publish.models import AggregateChainYear, ValueAddedWeight
from indices.publish.releases import releases_publish_due
from indices.publish.services import adjustment, chains, groups, publication
from indices.publish.services.weights import weights_upload
from tests.indices.publish import test_windowed_harmonization as parity
from tests.indices.publish.test_windowed_harmonization import (
    RECENT,
    filled,
    level,
    months,
    update,
)
from tests.indices.publishing import accept

PAIRS = {("10", "N"), ("10", "S"), ("11", "N"), ("11", "S")}


def vn_rows(leaving_out: tuple[int, int] | None = None, adjustments: str = "NS") -> bytes:
    """Viet Nam's series by ISIC code: with Thailand, every member with weight reports (but in
    the month `leaving_out`)."""
    return (
        "REF_AREA,ACTIVITY,ADJUSTMENT,TIME_PERIOD,OBS_VALUE,BASE_PER\n"
        + "".join(
            f"VN,{activity},{adjustment},{year}-{month:02d},"
            f"{level('N0' + str(3 + i), adjustment, year, month)},2021\n"
            for i, activity in enumerate(("10", "11"))
            for adjustment in adjustments
            for year, month in months((2015, 1), (2026, 9))
            if (year, month) != leaving_out
        )
    ).encode()


class ChainParityTests(TestCase):
    # The parity runs of test_windowed_harmonization.py, without its scenarios.
    setUp = parity.WindowedParityTests.setUp
    run_steps = parity.WindowedParityTests.run_steps
    fill = parity.WindowedParityTests.fill

    def snapshot(self) -> dict:
        return {
            **parity.WindowedParityTests.snapshot(self),
            "chains": sorted(
                (c.ref_area, c.activity, c.adjustment, c.year, repr(c.mean))
                for c in AggregateChainYear.objects.all()
            ),
        }

    def both_ways(self, steps: list) -> list[dict]:
        """Runs `steps` fully, then windowed; asserts the same stores (kept means included);
        returns, per release of the windowed run, the chains it went on from."""
        full, _ = self.run_steps(steps, enabled=False)
        went_on: list[dict] = []
        levels_read: list = []
        original_from, original_levels = chains.chains_from, groups.published_monthly_levels

        def spy_from(*args):
            went_on.append(original_from(*args))
            return went_on[-1]

        def spy_levels(keys, since=None):
            levels_read.append(since)
            return original_levels(keys, since)

        with (
            mock.patch.object(publication, "chains_from", spy_from),
            # read beside the store, and again where need be (`MemberLevels.whole`)
            mock.patch.object(publication, "published_monthly_levels", spy_levels),
            mock.patch.object(groups, "published_monthly_levels", spy_levels),
        ):
            windowed, _ = self.run_steps(steps, enabled=True)
        self.assertTrue(full["chains"])
        for part in ("observations", "series", "releases", "findings", "chains"):
            self.assertEqual(windowed[part], full[part], part)
        self.levels_read = levels_read
        return went_on

    def test_updates_chain_the_groups_on_from_the_kept_means(self):
        steps = [
            self.fill(),
            (vn_rows(), "VN_NSO", {}),
            (update(RECENT), "TH_OIE", {}),
            (update({(2026, 9): 1.004, (2026, 10): 1.0}), "TH_OIE", {}),
        ]
        went_on = self.both_ways(steps)
        # Both updates: every pair of both groups from 2025, after 2024's kept mean.
        for release in went_on[-2:]:
            self.assertEqual(
                set(release), {(g, *pair) for g in ("MKG", "MKG_JP") for pair in PAIRS}
            )
            self.assertEqual({start.year for start in release.values()}, {2025})
        self.assertEqual(self.group_windows[-4:], [PAIRS] * 4)
        # The updates read the members' levels from 2024 on only, and nothing more.
        self.assertEqual([str(since) for since in self.levels_read[-2:]], ["2024-01-01"] * 2)

    def test_kept_means_that_are_not_the_published_values_are_refused(self):
        def tampered():
            row = AggregateChainYear.objects.get(
                ref_area="MKG", activity="10", adjustment="N", year=2024
            )
            row.mean *= 1.000001
            row.save()

        steps = [
            self.fill(),
            (vn_rows(), "VN_NSO", {}),
            tampered,
            (update(RECENT), "TH_OIE", {}),
        ]
        went_on = self.both_ways(steps)
        self.assertIn(("MKG", "10", "N"), went_on[-1])
        # MKG's 10 N went on from the tampered mean: its 2025 differs from the published, so
        # it was computed from the chain's start (over the levels of every year, read again),
        # and then over the window as before; the means kept are the true ones.
        self.assertEqual(self.group_windows[-3:], [PAIRS - {("10", "N")}, {("10", "N")}, PAIRS])
        self.assertEqual([str(since) for since in self.levels_read[-2:]], ["2024-01-01", "None"])

    def test_an_update_of_the_year_after_the_reference_year_chains_from_its_start(self):
        steps = [
            self.fill(),
            (vn_rows(), "VN_NSO", {}),
            (update({(2022, 2): 1.001, **RECENT}), "TH_OIE", {}),
        ]
        went_on = self.both_ways(steps)
        self.assertEqual(went_on[-1], {})
        self.assertEqual(self.levels_read[-1], None)

    def test_a_member_short_of_a_month_of_the_year_before_chains_from_the_start(self):
        # Viet Nam has no May 2024: H6 imputes it, and no mean of 2024 is kept to go on from.
        steps = [
            self.fill(),
            (vn_rows(leaving_out=(2024, 5)), "VN_NSO", {}),
            (update(RECENT), "TH_OIE", {}),
        ]
        went_on = self.both_ways(steps)
        self.assertEqual(went_on[-1], {})
        self.assertIsNone(self.levels_read[-1])  # every year's levels, read beside as before
        self.assertEqual(self.group_windows[-2:], [PAIRS] * 2)  # over the window all the same

    def test_a_weight_of_an_earlier_year_changed_is_not_gone_on_from(self):
        # Thailand's value added of 2022 for activity 10 changes (in the table itself): the
        # chains of 10 are recomputed from their start, those of 11 go on.
        def reweighed():
            ValueAddedWeight.objects.filter(country="TH", activity="10", year=2022).update(
                value_added=600
            )

        steps = [self.fill(), (vn_rows(), "VN_NSO", {}), reweighed, (update(RECENT), "TH_OIE", {})]
        went_on = self.both_ways(steps)
        self.assertEqual(
            set(went_on[-1]),
            {(group, "11", adjustment) for group in ("MKG", "MKG_JP") for adjustment in "NS"},
        )

    def test_a_member_release_published_after_new_weights_were_uploaded(self):
        # The member's update is due, and the secretariat's new weights are uploaded before the
        # publisher gets to it: it is published first, from the new weights (as the full
        # computation does), not from means kept under the old ones.
        def weights_then_publication():
            accept(update(RECENT), "TH_OIE")
            weights_upload(
                rows=[{"country": "TH", "activity": "10", "year": "2022", "value_added": "600"}],
                agency=Agency.objects.get(pk="MKG_SEC"),
            )
            releases_publish_due(now=self.instant + timedelta(hours=10))

        went_on = self.both_ways([self.fill(), (vn_rows(), "VN_NSO", {}), weights_then_publication])
        self.assertNotIn(("MKG", "10", "N"), went_on[-2])  # the member's release
        self.assertIn(("MKG", "11", "N"), went_on[-2])


class AdjustmentFollowUpTests(TestCase):
    setUp = parity.WindowedParityTests.setUp

    def test_the_groups_adjusted_series_keep_their_means_as_a_members_release_does(self):
        # The members send their own Y series; the regional aggregates of Y that adjustment's
        # follow-up recomputes (`_regional`) keep the same means as the members' releases did.
        with mock.patch("indices.publish.tasks.publish_releases.delay_on_commit"):
            accept(filled(adjustments="NY"), "TH_OIE")
            accept(vn_rows(adjustments="NY"), "VN_NSO")
            releases_publish_due(now=self.instant)
        kept = AggregateChainYear.objects.filter(adjustment="Y")
        published = sorted((c.ref_area, c.activity, c.year, repr(c.mean)) for c in kept)
        self.assertEqual({(area, activity) for area, activity, _, _ in published},
                         {(g, a) for g in ("MKG", "MKG_JP") for a in ("10", "11")})  # fmt: skip
        kept.delete()
        with transaction.atomic():
            adjustment._regional({"TH"}, {"10", "11"}, load_definition())
        recomputed = sorted((c.ref_area, c.activity, c.year, repr(c.mean)) for c in kept.all())
        self.assertEqual(recomputed, published)
