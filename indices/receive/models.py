"""A submission: the received file, kept unaltered, and where it stands in the pipeline."""

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
    # Counts of the report: {"errors": 3, "warnings": 1, "by_rule": {"E06": {"severity": "error",
    # "count": 3, "shown": 3}, ...}}, and "unpublished" (series publication could not place).
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
