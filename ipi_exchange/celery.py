"""The Celery app, shaped like cookiecutter-django's config/celery_app.py; settings live in
settings.py under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipi_exchange.settings")

app = Celery("ipi_exchange")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each stage of indices owns its tasks module (autodiscovery looks only at <app>.tasks).
app.conf.imports = (
    "ipi_exchange.health",
    "indices.validate.tasks",
    "indices.publish.tasks",
    "indices.disseminate.webhooks.tasks",
)

from ipi_exchange.health import WorkerHeartbeat  # noqa: E402  (needs the app above)

app.steps["worker"].add(WorkerHeartbeat)
