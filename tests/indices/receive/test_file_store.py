import hashlib
import stat

import pytest

from indices.receive.files import file_store, stored_path
from ipi_exchange.errors import ApplicationError, TooLarge


def test_files_are_content_addressed_read_only_and_kept_once(settings, tmp_path):
    settings.IPI_FILE_STORE = tmp_path
    data = b"REF_AREA,ACTIVITY\nTH,C\n"
    first = file_store([data[:5], data[5:]], max_bytes=1000)
    second = file_store([data], max_bytes=1000)
    assert first == second
    assert first.sha256 == hashlib.sha256(data).hexdigest()
    assert first.path == stored_path(first.sha256)
    assert first.path.read_bytes() == data
    assert not first.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [first.sha256]


def test_too_large_is_refused_while_streaming_and_leaves_nothing(settings, tmp_path):
    settings.IPI_FILE_STORE = tmp_path

    def endless():
        while True:
            yield b"x" * 1000

    with pytest.raises(ApplicationError) as refused:
        file_store(endless(), max_bytes=10_000)
    assert isinstance(refused.value, TooLarge)  # answered 413 at the edge
    assert "10,000 bytes" in refused.value.message
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
