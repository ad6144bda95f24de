from django.apps import AppConfig


class CountriesConfig(AppConfig):
    name = "countries"
    verbose_name = "Members, agencies and credentials"

    def ready(self) -> None:
        # Saves and deletes of credentials and agencies forget the cached credentials.
        from countries import credential_cache  # noqa: F401
