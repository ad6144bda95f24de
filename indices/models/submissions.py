"""Submissions: the received file, its validation, its findings, and its staged rows."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from countries.models import Agency, ApiCredential


class Submission(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "RECEIVED"
        VALIDATING = "VALIDATING"
        REJECTED = "REJECTED"
        NEEDS_CONFIRMATION = "NEEDS_CONFIRMATION"
        ACCEPTED = "ACCEPTED"
        # dry_run: validated, nothing stored but the report.
        VALIDATED = "VALIDATED"

    class Action(models.TextChoices):
        MERGE = "merge"
        REPLACE = "replace"
        DELETE = "delete"

    PENDING = (Status.RECEIVED, Status.VALIDATING, Status.NEEDS_CONFIRMATION)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="submissions")
    credential = models.ForeignKey(
        ApiCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_user = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.MERGE)
    release_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    acknowledge_warnings = models.BooleanField(default=False)
    comment = models.CharField(max_length=1000, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True)

    # The received file, kept unaltered under IPI_FILE_STORE/<sha256[:2]>/<sha256>.
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    original_name = models.CharField(max_length=255, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    detected_format = models.CharField(max_length=32, blank=True)
    layout = models.CharField(max_length=8, blank=True)
    # Where each standard column sits in the file (column letter or 1-based CSV index).
    columns = models.JSONField(default=dict, blank=True)

    rows_read = models.PositiveIntegerField(default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    # Counts by rule and severity, e.g. {"errors": 3, "warnings": 1, "by_rule": {"E06": 3, ...}}.
    summary = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Staged rows are kept until a decision (confirmation needs them), then purged.
    staged_rows_purged = models.BooleanField(default=False)
    failure = models.TextField(blank=True)

    received_at = models.DateTimeField(default=timezone.now)
    validation_started_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["agency", "sha256"], name="submission_agency_sha"),
            models.Index(fields=["status", "received_at"], name="submission_status_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="submission_idempotency_key_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.id} {self.status}"


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

    Loaded with COPY; rules are SQL over this table. Raw columns hold '' when absent.
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
