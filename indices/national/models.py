"""The national series store: every accepted observation's current value, traceable to its
submission and file row, per base year. Rules that need history (W01, W03, W04) read it;
harmonization reads it whole. Submissions are applied to it when their release is published."""

from __future__ import annotations

from django.db import models

from countries.models import Agency
from indices.periods import period_label


class NationalSeries(models.Model):
    """A series an agency sends, and the dimensions its key spells: stored once here, not in
    each of its values (migration 0020). A series stays when its values are withdrawn."""

    # 4 bytes in every stored value and in the store's primary key, where the agency and the
    # key took about 27 (a third of a store of 184 bytes per value went on such repetitions).
    id = models.AutoField(primary_key=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    # FREQ.REF_AREA.<ISIC code or NAT:national code>.ADJUSTMENT, as SubmissionRow.series_id
    series_id = models.CharField(max_length=80)
    freq = models.CharField(max_length=1)
    ref_area = models.CharField(max_length=8)  # as in the key: the member's code
    nat_code = models.CharField(max_length=32, blank=True)  # as the file gave it; "" by ACTIVITY
    adjustment = models.CharField(max_length=1)

    class Meta:
        constraints = [
            # also the index that maps a submission's series ids to their numbers
            models.UniqueConstraint(fields=["agency", "series_id"], name="national_series_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.series_id}"


class NationalObservation(models.Model):
    # One value per base year: after a base change both bases are kept where they overlap,
    # since linking the old history (H3) needs the overlap. The period before the base year:
    # a series' periods from a given month are one range of the index (validation reads the
    # stored history so, migration 0017). The key is the row's identity, without a surrogate
    # id (migration 0018).
    pk = models.CompositePrimaryKey("series", "period_start", "base_year")
    # The columns in the table's order (migration 0020): 8-byte values first, then 4, 2 and
    # text, so that PostgreSQL pads none of them to its alignment. No time of its own: a value
    # is written by the release of its submission, whose published_at says when.
    value = models.FloatField(null=True)
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
    # Its number, not its key: `series_id` here is that number (the key is series.series_id).
    # This reference and the submission's are checked by the database once per statement,
    # over the set of rows it wrote (migrations 0015, 0020), not by a foreign key's lookup
    # per row: a million-row release spent 20 s of its commit on those. Deleting a series or
    # submission that values point at is refused. Its index is the primary key's.
    series = models.ForeignKey(
        NationalSeries,
        on_delete=models.PROTECT,
        related_name="+",
        db_column="series_no",
        db_constraint=False,
        db_index=False,
    )
    period_start = models.DateField()
    row_no = models.IntegerField()
    base_year = models.SmallIntegerField()
    status = models.CharField(max_length=1)
    # Per value, not per series: a national code's ISIC code is the concordance's when the
    # value was sent, and a later concordance can map the code anew.
    activity = models.CharField(max_length=8)
    comment = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.series.series_id} {self.period_label} = {self.value}"

    @property
    def period_label(self) -> str:
        return period_label(self.series.freq, self.period_start)
