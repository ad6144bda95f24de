"""Settings for bench/api_read.py: the real settings, the read API mounted next to the
baseline views."""

from ipi_exchange.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_read_urls"
# The limiter runs (its Redis round trip is part of the cost) but never refuses the load test.
IPI_API_RATE = "100000000/minute"
