import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipi_exchange.settings")
django_application = get_wsgi_application()

from ipi_exchange.http.limits import ChunkedBodies  # noqa: E402  (needs the settings loaded)

# Bodies sent with Transfer-Encoding: chunked are read (Django alone sees none): see
# ipi_exchange/http/limits.py.
application = ChunkedBodies(django_application)
