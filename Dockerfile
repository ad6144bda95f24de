# Production image: the same code as development, configured by environment variables only.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    IPI_ENV=production \
    DJANGO_SETTINGS_MODULE=ipi_exchange.settings

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app ipi
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings to import; these placeholders are never used at run time.
RUN SECRET_KEY=build-only-placeholder-secret-key-not-used-at-run-time-000000 \
    ALLOWED_HOSTS=build DATABASE_URL=postgresql://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --no-input -v 0 \
 && mkdir -p /app/var/files && chown -R ipi /app/var
USER ipi
EXPOSE 8000
# Its limits let Django answer over-long addresses and headers with problem+json.
CMD ["gunicorn", "--config", "ipi_exchange/gunicorn.conf.py", "ipi_exchange.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
