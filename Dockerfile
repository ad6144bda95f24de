# Production image: the same code as development, configured by environment variables only.
# BASE_IMAGE: the official Python image, pinned by version (deploy/check.sh builds the same image
# on a base made from Debian's own packages). Any base with python3.11 and its venv module works.
ARG BASE_IMAGE=python:3.11.14-slim-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    IPI_ENV=production \
    DJANGO_SETTINGS_MODULE=ipi_exchange.settings \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app ipi && python3 -m venv /opt/venv
# Runtime dependencies only (tests and tools: requirements-dev.txt, never in the image).
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings to import: a throw-away key and addresses never used at run time.
RUN SECRET_KEY=$(python -c "import secrets; print(secrets.token_urlsafe(50))") \
    ALLOWED_HOSTS=build DATABASE_URL=postgresql://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input -v 0 \
 && mkdir -p /app/var/files && chown -R ipi /app/var
USER ipi
EXPOSE 8000
# Its limits let Django answer over-long addresses and headers with problem+json.
CMD ["gunicorn", "--config", "ipi_exchange/gunicorn.conf.py", "ipi_exchange.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
