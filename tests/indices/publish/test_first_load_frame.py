"""A country's first load is harmonized from its frame, not read back from the store (issue #14).

When the store held nothing of a country before a release, what it holds of it afterwards is
exactly the submission's rows: harmonization takes them from the kept frame, while the store
writes them, and with no window (nothing of the country is published yet). These tests
harmonize both ways in the same transaction, after the same store write, and compare every
series' key, attributes and points (each float's 8 bytes); and they check that the frame is
used only where the store held nothing of the country.
"""

from __future__ import annotations

import struct

from django.db import transaction
from django.test import TestCase

from countries.models import Country
from indices.publish.services.publication import _apply_submission, _harmonize_member
from indices.receive.models import Submission
from tests.indices.publish.test_national_store import CODES, rows_csv
from tests.indices.publishing import accept, publish, thai_concordance

REF_YEAR = 2021


def exactly(series) -> list[tuple]:
    """Series as comparable tuples, each float by its bytes (0.1 + 0.2 is not 0.3 here)."""

    def bits(value):
        return None if value is None else struct.pack("<d", value)

    return sorted(
        (
            item.key,
            tuple(sorted(item.attributes.items())),
            tuple(
                (p.period, bits(p.value), p.status, bits(p.coverage), p.comment)
                for p in item.points
            ),
        )
        for item in series
    )


class FirstLoadFromTheFrameTests(TestCase):
    def setUp(self):
        thai_concordance(CODES)
        self.thailand = Country.objects.get(pk="TH")

    def applied(self, submission: Submission):
        """The submission applied to the store; its harmonized series from the frame (None
        where the release does not take them so), then read from the store. Rolled back."""
        with transaction.atomic():
            given, first_load = _apply_submission(submission, self.thailand, REF_YEAR)
            touched = set(given)
            from_frame = None
            if first_load is not None:
                from_frame = _harmonize_member(
                    self.thailand, touched, REF_YEAR, given=given, first_load=first_load
                )
            from_store = _harmonize_member(self.thailand, touched, REF_YEAR, given=given)
            transaction.set_rollback(True)
        return from_frame, from_store

    def test_a_first_load_harmonized_from_its_frame_is_as_from_the_store(self):
        submission = accept(rows_csv(range(2019, 2025), gap=(2020, 4)))
        from_frame, from_store = self.applied(submission)
        self.assertIsNotNone(from_frame)
        frame_series, frame_problems, _ = from_frame
        store_series, store_problems, _ = from_store
        self.assertGreater(sum(len(s.points) for s in store_series), 1000)
        self.assertEqual(exactly(frame_series), exactly(store_series))
        self.assertEqual(frame_problems, store_problems)

    def test_a_first_load_after_the_reference_year_has_no_window_either_way(self):
        # Its periods all after the reference year: the store's path looks for windows, and
        # finds none (nothing published before them); the frame's does not look.
        submission = accept(rows_csv(range(2022, 2025)))
        from_frame, from_store = self.applied(submission)
        self.assertIsNotNone(from_frame)
        self.assertEqual(from_store[2].since, {})
        self.assertTrue(from_frame[1])  # no reference year to rebase on (H2): unpublishable
        self.assertEqual(exactly(from_frame[0]), exactly(from_store[0]))
        self.assertEqual(from_frame[1], from_store[1])

    def test_once_the_country_has_stored_values_they_are_read_from_the_store(self):
        publish(rows_csv(range(2019, 2023), codes=("N01",)))
        # New series, so their store write is a first load too; the country's is not.
        _, first_load = self._applied(accept(rows_csv(range(2019, 2024), codes=("N02",))))
        self.assertIsNone(first_load)

    def test_a_delete_is_read_from_the_store(self):
        submission = accept(rows_csv(range(2019, 2020)), action="delete")
        _, first_load = self._applied(submission)
        self.assertIsNone(first_load)

    def _applied(self, submission: Submission):
        with transaction.atomic():
            applied = _apply_submission(submission, self.thailand, REF_YEAR)
            transaction.set_rollback(True)
        return applied
