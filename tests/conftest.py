import pytest


@pytest.fixture(autouse=True)
def _isolated_file_store(request, settings, tmp_path):
    """Each test stores received files in its own directory; a test with a real worker
    (`worker_file_store` among its fixtures), in the one the module's workers read."""
    if "worker_file_store" in request.fixturenames:
        settings.IPI_FILE_STORE = request.getfixturevalue("worker_file_store")
    else:
        settings.IPI_FILE_STORE = tmp_path / "files"


@pytest.fixture(autouse=True)
def _stored_answers_forgotten():
    """Redis outlives a test's rolled-back transaction: answers stored and credentials
    remembered by an earlier test (indices/disseminate/answers.py) must not answer this one."""
    from countries.credential_cache import credentials_forget_now
    from indices.disseminate.answers import answers_forget

    answers_forget()
    credentials_forget_now()


@pytest.fixture
def seeded(transactional_db):
    """Transactional tests flush every table afterwards, data-migration seeds included:
    put the standard and the members back before each one, and empty the test broker of
    messages about objects that went with the flush."""
    from countries.seed import seed_members
    from countries.standard.services import standard_load
    from tests.workers import purge_queues

    standard_load()
    seed_members()
    purge_queues()


@pytest.fixture(scope="module")
def worker_file_store(tmp_path_factory):
    """The file store shared by a module's tests and the worker processes they start: the
    worker reads the files the test process received."""
    return tmp_path_factory.mktemp("worker-files")


@pytest.fixture(scope="module")
def worker(worker_file_store, tmp_path_factory, django_db_setup, django_db_blocker):
    """A real Celery worker process for a module's tests, seen alive (its heartbeat) before the
    first test; `django_db_setup` first, so that it connects to the test database."""
    from ipi_exchange.health import live_workers
    from tests.workers import start_worker, stop_worker, wait_until

    log = tmp_path_factory.mktemp("logs") / "worker.log"
    process, hostname = start_worker(log, IPI_FILE_STORE=str(worker_file_store))
    assert wait_until(lambda: hostname in live_workers()), log.read_text()[-3000:]
    yield process
    stop_worker(process)


@pytest.fixture(scope="session", autouse=True)
def _test_database_dropped_at_the_end(django_db_setup):
    """The test database is dropped after the run even if a process the tests started (a
    worker, gunicorn) left a session open on it: those sessions are ended first."""
    yield
    import psycopg

    from tests.workers import test_database_url

    with psycopg.connect(test_database_url(), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
