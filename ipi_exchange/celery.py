"""The Celery app, shaped like cookiecutter-django's config/celery_app.py; settings live in
settings.py under the CELERY_ namespace."""

import gc
import os

from celery import Celery
from celery.signals import worker_process_init

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


@app.on_configure.connect
def _servers_for_a_celery_command(sender: Celery, **kwargs: object) -> None:
    """A Celery process started by hand (`celery -A ipi_exchange worker`) is the first to read
    the settings, through this app: without DATABASE_URL / REDIS_URL it starts (or attaches to)
    the embedded servers first, as manage.py does. A process whose settings are already loaded
    (gunicorn, manage.py, pytest) was given its servers by whoever started it."""
    from django.conf import settings

    if not settings.configured:
        from ipi_exchange.embedded import use_servers_from_environment

        use_servers_from_environment()


@worker_process_init.connect
def _startup_objects_out_of_the_collector(**kwargs: object) -> None:
    """What a worker process holds once started (Django, the tasks' modules) lives as long as
    it does: frozen, the garbage collector no longer walks it on every full collection, which a
    release building a million values' objects triggers again and again."""
    gc.collect()
    gc.freeze()


from ipi_exchange.health import WorkerHeartbeat  # noqa: E402  (needs the app above)

app.steps["worker"].add(WorkerHeartbeat)
