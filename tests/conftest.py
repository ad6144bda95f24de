import pytest


@pytest.fixture(autouse=True)
def _isolated_file_store(settings, tmp_path):
    """Each test stores received files in its own directory."""
    settings.IPI_FILE_STORE = tmp_path / "files"


@pytest.fixture
def seeded(transactional_db):
    """Transactional tests flush every table afterwards, data-migration seeds included:
    put the standard and the members back before each one, and empty the test broker of
    messages about objects that went with the flush."""
    from countries.seed import seed_members
    from indices.services.standard import standard_load
    from tests.workers import purge_queues

    standard_load()
    seed_members()
    purge_queues()
