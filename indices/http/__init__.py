"""HTTP plumbing shared by the read API (series, data, releases, bulk): conditional requests
(ETag / Last-Modified / 304), cache headers, per-credential rate limits in Redis, query
parameters in SDMX-REST spelling, and CSV output."""
