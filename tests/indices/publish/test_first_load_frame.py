"""A country's first load is harmonized from its frame, not read back from the store (issue #14).

When the store held nothing of a country before a release, what it holds of it afterwards is
exactly the submission's rows: harmonization takes them from the kept frame. These tests
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
            given, whole_store = _apply_submission(submission, self.thailand)
            touched = set(given)
            from_frame = None
            if whole_store is not None:
                from_frame = _harmonize_member(
                    self.thailand, touched, REF_YEAR, given=given, whole_store=whole_store
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

    def test_once_the_country_has_stored_values_they_are_read_from_the_store(self):
        publish(rows_csv(range(2019, 2023), codes=("N01",)))
        # New series, so their store write is a first load too; the country's is not.
        _, whole_store = self._whole_store(accept(rows_csv(range(2019, 2024), codes=("N02",))))
        self.assertIsNone(whole_store)

    def test_a_delete_is_read_from_the_store(self):
        submission = accept(rows_csv(range(2019, 2020)), action="delete")
        _, whole_store = self._whole_store(submission)
        self.assertIsNone(whole_store)

    def _whole_store(self, submission: Submission):
        with transaction.atomic():
            applied = _apply_submission(submission, self.thailand)
            transaction.set_rollback(True)
        return applied
