"""Members, their agencies and people, national classifications, API credentials and the audit
log; the standard's codelists are defined in countries/standard/models.py."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.validators import ArrayMinLengthValidator
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

# Defined in their own module; imported here so that Django registers them with this app.
from countries.standard.models import Code, Codelist, StandardVersion  # noqa: F401

country_code_validator = RegexValidator(r"^[A-Z]{2}$", "A country code is two capital letters.")
agency_id_validator = RegexValidator(
    r"^[A-Z][A-Z0-9_]{1,31}$", "An agency id is capitals, digits and underscores, e.g. TH_OIE."
)
classification_id_validator = RegexValidator(
    r"^[A-Z][A-Z0-9_]{1,31}$", "A classification id is capitals, digits and _, e.g. TSIC2009."
)


class Country(models.Model):
    """A member (or partner) whose agency reports its national IPI."""

    code = models.CharField(primary_key=True, max_length=2, validators=[country_code_validator])
    name = models.CharField(max_length=100)
    # The regional aggregates (CL_AREA) this country counts in: data, so members can be added.
    aggregates = ArrayField(models.CharField(max_length=16), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Agency(models.Model):
    class Role(models.TextChoices):
        REPORTER = "reporter", "Reporting agency"
        SECRETARIAT = "secretariat", "Secretariat"
        READER = "reader", "Reader"

    id = models.CharField(primary_key=True, max_length=32, validators=[agency_id_validator])
    name = models.CharField(max_length=200)
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "agencies"
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="reporter") | Q(country__isnull=False),
                name="reporter_has_country",
            )
        ]

    def __str__(self) -> str:
        return self.id

    @property
    def is_secretariat(self) -> bool:
        return self.role == self.Role.SECRETARIAT


class User(AbstractUser):
    """A person signing in to the web pages; inherits the role of the agency they belong to."""

    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )


class NationalClassification(models.Model):
    """A country's industry classification (TSIC2009, VSIC2018...), mapped to ISIC."""

    id = models.CharField(primary_key=True, max_length=32, validators=[classification_id_validator])
    name = models.CharField(max_length=200)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="classifications")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.id


class ConcordanceVersion(models.Model):
    """One upload of a concordance. Versions are kept; the highest number is the current one."""

    classification = models.ForeignKey(
        NationalClassification, on_delete=models.PROTECT, related_name="concordance_versions"
    )
    version = models.PositiveIntegerField()
    comment = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["classification_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["classification", "version"], name="concordance_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.classification_id} v{self.version}"


class ConcordanceEntry(models.Model):
    version = models.ForeignKey(
        ConcordanceVersion, on_delete=models.CASCADE, related_name="entries"
    )
    national_code = models.CharField(max_length=32)
    national_name = models.CharField(max_length=300, blank=True)
    isic_code = models.CharField(max_length=8)
    # Base-year value-added weight; needed where several national codes share one ISIC code (H1).
    weight = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)

    class Meta:
        ordering = ["national_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "national_code"], name="concordance_code_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.national_code} -> {self.isic_code}"


class ApiCredential(models.Model):
    class Scope(models.TextChoices):
        SUBMIT = "submit", "Upload submissions"
        READ = "read", "Read data"
        ADMIN = "admin", "Manage members, credentials and reference data"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="credentials")
    name = models.CharField(max_length=100)
    # The first characters of the token, kept in clear so people can tell their keys apart.
    prefix = models.CharField(max_length=16)
    # sha256 of the whole token: tokens are 240 random bits, so a fast hash is enough.
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = ArrayField(
        models.CharField(max_length=8, choices=Scope.choices),
        validators=[ArrayMinLengthValidator(1)],
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditEvent(models.Model):
    """Who did what, when. Append-only: the database refuses UPDATE and DELETE (trigger)."""

    at = models.DateTimeField(default=timezone.now)
    agency = models.CharField(max_length=32, blank=True)
    actor = models.CharField(max_length=150, blank=True)  # credential name/prefix or username
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        # Created by the indices app; the table (and its append-only trigger) kept its name.
        db_table = "indices_auditevent"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "at"], name="audit_action_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.agency} {self.action} {self.object_type}"
