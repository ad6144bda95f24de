"""Reads of webhooks, scoped to the caller: its own agency's, or all for the secretariat."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from countries.principals import Principal
from indices.disseminate.webhooks.models import WebhookDelivery, WebhookSubscription


def webhook_subscription_list(*, principal: Principal) -> QuerySet[WebhookSubscription]:
    subscriptions = WebhookSubscription.objects.all()
    if principal.is_secretariat:
        return subscriptions
    return subscriptions.filter(agency=principal.agency)


def webhook_subscription_get(*, principal: Principal, subscription_id: int) -> WebhookSubscription:
    """Another agency's webhook is "not found", never "forbidden": existence is not leaked."""
    subscription = webhook_subscription_list(principal=principal).filter(pk=subscription_id).first()
    if subscription is None:
        raise Http404
    return subscription


def webhook_delivery_list(
    *, principal: Principal, subscription_id: int
) -> QuerySet[WebhookDelivery]:
    """The delivery log of one of the caller's webhooks, newest first."""
    subscription = webhook_subscription_get(principal=principal, subscription_id=subscription_id)
    return WebhookDelivery.objects.filter(subscription=subscription).order_by("-created_at", "-id")
