"""gunicorn's settings for this service, used by `dev.py serve`, the Dockerfile and the tests:

    gunicorn -c ipi_exchange/gunicorn.conf.py ipi_exchange.wsgi --bind HOST:PORT

gunicorn answers a request line or a header field over its limits itself, with an HTML page.
The limits here are above the service's own (ipi_exchange/http/limits.py), which answers those
requests with problem+json like every other 4xx; only absurd sizes (a request line over 1 MB,
a header field over 32 KB) still get gunicorn's page.
"""

# 0: no limit of gunicorn's own below its hard cap of 1 MB (it allows no value above 8190).
limit_request_line = 0
limit_request_field_size = 32 * 1024
