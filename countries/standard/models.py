"""The standard in the database: one row per loaded version, its codelists and codes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class StandardVersion(models.Model):
    version = models.CharField(primary_key=True, max_length=16)
    title = models.CharField(max_length=200)
    ref_year = models.PositiveSmallIntegerField()
    thresholds = models.JSONField()
    rules = models.JSONField()
    is_current = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Created by the indices app: the tables kept their names when the standard moved.
        db_table = "indices_standardversion"
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_standard"
            )
        ]

    def __str__(self) -> str:
        return f"standard v{self.version}"


class Codelist(models.Model):
    standard = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="codelists"
    )
    codelist_id = models.CharField(max_length=32)
    name = models.CharField(max_length=200)

    class Meta:
        db_table = "indices_codelist"
        ordering = ["codelist_id"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "codelist_id"], name="codelist_once")
        ]

    def __str__(self) -> str:
        return self.codelist_id


class Code(models.Model):
    codelist = models.ForeignKey(Codelist, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=16)
    name = models.CharField(max_length=300)
    parent = models.CharField(max_length=16, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "indices_code"
        ordering = ["codelist_id", "position"]
        constraints = [models.UniqueConstraint(fields=["codelist", "code"], name="code_once")]

    def __str__(self) -> str:
        return self.code
