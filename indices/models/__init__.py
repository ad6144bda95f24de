from indices.models.national import NationalObservation
from indices.models.publication import (
    AuditEvent,
    PublishedObservation,
    PublishedSeries,
    Release,
    ValueAddedWeight,
)
from indices.models.standard import Code, Codelist, StandardVersion
from indices.models.submissions import Finding, Submission, SubmissionRow
from indices.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "AuditEvent",
    "Code",
    "Codelist",
    "Finding",
    "NationalObservation",
    "PublishedObservation",
    "PublishedSeries",
    "Release",
    "StandardVersion",
    "Submission",
    "SubmissionRow",
    "ValueAddedWeight",
    "WebhookDelivery",
    "WebhookSubscription",
]
