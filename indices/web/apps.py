from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web pages; installed so that `manage.py create_user` is found."""

    name = "indices.web"
    label = "indices_web"
    verbose_name = "Web pages"
