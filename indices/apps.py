from django.apps import AppConfig


class IndicesConfig(AppConfig):
    name = "indices"
    verbose_name = "Indices: standard, submissions, harmonized series"
