import pytest


@pytest.fixture(autouse=True)
def _isolated_file_store(settings, tmp_path):
    """Each test stores received files in its own directory."""
    settings.IPI_FILE_STORE = tmp_path / "files"
