"""Webhooks: a reader's registered URL, told of each release's changed series."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from countries.models import Agency


class WebhookSubscription(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    # Shown once at creation; used as the HMAC-SHA256 key of every delivery's body.
    secret = models.CharField(max_length=100)
    # Only releases changing a series matching this SDMX key are sent ("" = all).
    key_filter = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.agency_id} -> {self.url}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING"
        DELIVERED = "DELIVERED"
        FAILED = "FAILED"  # gave up after the last retry

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    release = models.ForeignKey("indices.Release", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "release"], name="delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"delivery {self.pk} {self.status}"
