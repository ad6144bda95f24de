import pytest

from ipi_exchange.celery import app


@pytest.fixture
def eager_celery():
    """Tasks run in this process as they are sent (X-13 included): the pipeline without a
    worker. tests/indices/publish/test_e2e_adjustment.py runs it with real ones."""
    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])
