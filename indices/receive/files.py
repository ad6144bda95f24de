"""The received-file store: every upload kept unaltered, content-addressed by sha256.

Files are written once to a temporary name, then renamed into place and made read-only, so
processing can never modify them and a crash never leaves a half-written file under its hash.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from ipi_exchange.errors import upload_too_large

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path


def store_root() -> Path:
    return Path(settings.IPI_FILE_STORE)


def stored_path(sha256: str) -> Path:
    return store_root() / sha256[:2] / sha256


def file_store(chunks: Iterable[bytes], *, max_bytes: int) -> StoredFile:
    """Stream chunks to the store; refuse (413) as soon as more than max_bytes arrive."""
    root = store_root()
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temp_name = tempfile.mkstemp(dir=root, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as temp:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise upload_too_large(max_bytes)
                digest.update(chunk)
                temp.write(chunk)
            temp.flush()
            os.fsync(temp.fileno())
        sha256 = digest.hexdigest()
        final = stored_path(sha256)
        final.parent.mkdir(exist_ok=True)
        if final.exists():
            os.unlink(temp_name)  # the same bytes are already kept
        else:
            os.chmod(temp_name, 0o444)
            os.replace(temp_name, final)
        return StoredFile(sha256=sha256, size=size, path=final)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
