"""Django's admin finds an app's ModelAdmins in this module. Each stage owns its admin; this
module only gathers them (as models.py gathers the models)."""

from indices.publish import admin as publish  # noqa: F401
