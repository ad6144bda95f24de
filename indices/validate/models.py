"""What validation leaves: the findings of each submission, and its staged rows (the
normalized rows that publication applies to the national store)."""

from __future__ import annotations

from django.db import models

from indices.receive.models import Submission


class Finding(models.Model):
    class Severity(models.TextChoices):
        ERROR = "error"
        WARNING = "warning"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="findings")
    rule_id = models.CharField(max_length=3)
    severity = models.CharField(max_length=7, choices=Severity.choices)
    row = models.IntegerField(null=True, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    cell = models.CharField(max_length=16, blank=True)
    column = models.CharField(max_length=32, blank=True)
    value = models.TextField(blank=True)
    series_key = models.CharField(max_length=100, blank=True)
    time_period = models.CharField(max_length=16, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["rule_id", "row", "id"]
        indexes = [models.Index(fields=["submission", "rule_id"], name="finding_submission_rule")]

    def __str__(self) -> str:
        return f"{self.rule_id} row {self.row}: {self.message[:60]}"


class SubmissionRow(models.Model):
    """A staged row: the file's raw text (as read) beside its normalized values.

    Loaded with COPY at publication by versions before issue #14; publication now applies the
    kept rows frame itself (publish/services/national.py), and the purge removes what older
    versions left here. Raw columns hold '' when absent.
    Normalized columns are NULL when the raw text does not parse.
    """

    # No database constraint: it costs a trigger per row of a million-row COPY; rows are
    # removed with their submission's purge.
    submission = models.ForeignKey(
        Submission, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    row_no = models.IntegerField()
    sheet = models.CharField(max_length=100, blank=True)
    value_cell = models.CharField(max_length=16, blank=True)
    # raw
    ref_area = models.TextField(blank=True)
    activity = models.TextField(blank=True)
    nat_code = models.TextField(blank=True)
    adjustment = models.TextField(blank=True)
    freq = models.TextField(blank=True)
    time_period = models.TextField(blank=True)
    obs_value = models.TextField(blank=True)
    obs_status = models.TextField(blank=True)
    base_per = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    # normalized
    freq_n = models.CharField(max_length=1, null=True)
    adjustment_n = models.CharField(max_length=1, null=True)
    status_n = models.CharField(max_length=1, null=True)
    activity_n = models.CharField(max_length=8, null=True)
    period_start = models.DateField(null=True)
    period_label = models.CharField(max_length=8, null=True)
    value_n = models.FloatField(null=True)
    base_year = models.SmallIntegerField(null=True)
    # One national series: FREQ.REF_AREA.<ISIC code or NAT:code>.ADJUSTMENT
    series_id = models.CharField(max_length=80, null=True)

    def __str__(self) -> str:
        return f"row {self.row_no} of {self.submission_id}"
