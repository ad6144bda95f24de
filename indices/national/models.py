"""The national series store: every accepted observation's current value, traceable to its
submission and file row, per base year. Rules that need history (W01, W03, W04) read it;
harmonization reads it whole. Submissions are applied to it when their release is published."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from countries.models import Agency


class NationalObservation(models.Model):
    # One value per base year: after a base change both bases are kept where they overlap,
    # since linking the old history (H3) needs the overlap. The period before the base year:
    # a series' periods from a given month are one range of the index (validation reads the
    # stored history so, migration 0017). The key is the row's identity: a surrogate id was 8
    # bytes of every row and an index of 22 more, which no reader used (migration 0018).
    pk = models.CompositePrimaryKey("agency", "series_id", "period_start", "base_year")
    # Both references are checked by the database once per statement, over the set of rows it
    # wrote (migration 0015), not by a foreign key's lookup per row: a million-row release
    # spent 20 s of its commit on those. Deleting a referenced agency or submission is refused.
    # Its index is the primary key's, which begins with it.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    # FREQ.REF_AREA.<ISIC code or NAT:national code>.ADJUSTMENT, as SubmissionRow.series_id
    series_id = models.CharField(max_length=80)
    freq = models.CharField(max_length=1)
    ref_area = models.CharField(max_length=8)
    activity = models.CharField(max_length=8)
    nat_code = models.CharField(max_length=32, blank=True)
    adjustment = models.CharField(max_length=1)
    period_start = models.DateField()
    period_label = models.CharField(max_length=8)
    value = models.FloatField(null=True)
    status = models.CharField(max_length=1)
    base_year = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    # No index of its own (migration 0019): no reader looks values up by submission, and one
    # on it cost a million-row release 0.5-0.9 s and kept a revision's update from being HOT
    # (written without touching any index). Deleting a submission, which the service never
    # does, scans the store to refuse it while values point at it.
    submission = models.ForeignKey(
        "indices.Submission",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    row_no = models.IntegerField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.series_id} {self.period_label} = {self.value}"
