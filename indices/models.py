"""Django registers an app's models from this module. Each stage owns its models and code
imports them from there; this module only gathers them."""

from indices.disseminate.webhooks.models import WebhookDelivery, WebhookSubscription
from indices.national.models import NationalObservation, NationalSeries
from indices.publish.models import (
    AdjustmentOptOut,
    PublishedObservation,
    PublishedSeries,
    Release,
    SeriesAdjustment,
    ValueAddedWeight,
)
from indices.receive.models import Submission
from indices.validate.models import Finding, SubmissionRow

__all__ = [
    "AdjustmentOptOut",
    "Finding",
    "NationalObservation",
    "NationalSeries",
    "PublishedObservation",
    "PublishedSeries",
    "Release",
    "SeriesAdjustment",
    "Submission",
    "SubmissionRow",
    "ValueAddedWeight",
    "WebhookDelivery",
    "WebhookSubscription",
]
