import os

# polars' allocator (jemalloc) returns freed memory to the system at once instead of keeping
# it for reuse: a worker that validated a million rows falls back to its idle size, and the
# peak of the next validation stays within the same bound (read before polars is loaded).
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

from ipi_exchange.celery import app as celery_app

__all__ = ("celery_app",)
