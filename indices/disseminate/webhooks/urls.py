from django.urls import path

from indices.disseminate.webhooks.apis import (
    WebhookDeliveryListApi,
    WebhookDetailApi,
    WebhookListApi,
    WebhookTestApi,
)

urlpatterns = [
    path("webhooks/", WebhookListApi.as_view(), name="webhook-list"),
    path("webhooks/<int:subscription_id>/", WebhookDetailApi.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:subscription_id>/deliveries/",
        WebhookDeliveryListApi.as_view(),
        name="webhook-deliveries",
    ),
    path("webhooks/<int:subscription_id>/test/", WebhookTestApi.as_view(), name="webhook-test"),
]
