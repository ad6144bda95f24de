"""The HTTP API of members, agencies, credentials, classifications, the standard and the
audit log (countries/urls.py mounts it under /api/v1/)."""
