from django.apps import AppConfig


class IndicesConfig(AppConfig):
    name = "indices"
    verbose_name = "Indices: submissions, validation, publication, dissemination"

    def ready(self) -> None:
        # Each stage hands work to the next through signals (receive/signals.py,
        # publish/signals.py); the receiving stages connect here.
        # First: the read path (replicas' mark, stored answers) before anyone is told.
        from indices.disseminate import receivers as disseminate  # noqa: F401
        from indices.disseminate.webhooks import receivers as webhooks  # noqa: F401
        from indices.publish import receivers as publish  # noqa: F401
        from indices.validate import receivers as validate  # noqa: F401
