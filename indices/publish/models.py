"""Publication: releases (with their embargo), the vintaged harmonized store, value-added
weights for the regional aggregates."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Func, IntegerField, Q, Value
from django.utils import timezone

from countries.models import Agency, Country


class Release(models.Model):
    """The publication of one submission's effect (or of new aggregate weights) at one instant.

    Nothing of a release exists in the published store before it is published, so an
    embargoed release leaves no trace anywhere a reader can look.
    """

    class Status(models.TextChoices):
        SCHEDULED = "SCHEDULED"
        PUBLISHED = "PUBLISHED"
        # Killed its worker MAX_ATTEMPTS times: set aside for the secretariat to look at.
        FAILED = "FAILED"

    submission = models.OneToOneField(
        "indices.Submission",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="release",
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="releases")
    # The country whose series it changes ("" for a recomputation of aggregates only).
    ref_area = models.CharField(max_length=8, blank=True)
    release_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    published_at = models.DateTimeField(null=True, blank=True)
    description = models.CharField(max_length=300, blank=True)
    changed_series = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    observations_changed = models.PositiveIntegerField(default=0)
    observations_withdrawn = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # H7: a follow-up release publishing the exchange's seasonal adjustment of the N series
    # `adjusts` changed (their keys in adjusted_series). Scheduled at the same release_at as
    # the release it follows, so an embargoed release's adjusted values never come first.
    adjusts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    adjusted_series = ArrayField(models.CharField(max_length=40), default=list, blank=True)

    class Meta:
        ordering = ["-release_at", "-id"]
        indexes = [models.Index(fields=["status", "release_at"], name="release_due")]

    def __str__(self) -> str:
        return (
            f"release {self.pk} {self.ref_area} {self.status} at {self.release_at:%Y-%m-%d %H:%M}"
        )


# A new series' number: the next of the sequence that migration 0021 made the column's own.
SERIES_NUMBER = Func(
    Value("indices_publishedseries_number_seq"), function="nextval", output_field=IntegerField()
)


class PublishedSeries(models.Model):
    """A harmonized series' dimensions and attributes (STANDARD.md section 2)."""

    series_key = models.CharField(primary_key=True, max_length=40)  # e.g. M.TH.C.N.IX
    # What each published value carries in place of the key (migration 0021): 4 bytes in the
    # row and in its two key indexes, where the key's text took some 20 in each of the three.
    # The database numbers a new series (the sequence's next value) and hands the number back.
    number = models.IntegerField(unique=True, editable=False, db_default=SERIES_NUMBER)
    freq = models.CharField(max_length=1)
    ref_area = models.CharField(max_length=8)
    activity = models.CharField(max_length=8)
    adjustment = models.CharField(max_length=1)
    transformation = models.CharField(max_length=8)
    attributes = models.JSONField(default=dict)
    # Visible from this instant (the first release that published it).
    first_published_at = models.DateTimeField()
    last_updated_at = models.DateTimeField()

    class Meta:
        ordering = ["series_key"]
        indexes = [
            models.Index(fields=["ref_area", "activity", "adjustment"], name="series_dims"),
        ]

    def __str__(self) -> str:
        return self.series_key


class _WithSeriesKey(models.Manager["PublishedObservation"]):
    """Values with their series' key (`series_key`), read from the series they point at, as a
    reader wants them: one join with the series table, on its number."""

    def get_queryset(self) -> models.QuerySet[PublishedObservation]:
        # The stubs take the annotation for a second definition of the attribute declared on
        # the model for them.
        rows = super().get_queryset()
        return rows.annotate(series_key=F("series__series_key"))  # type: ignore[no-redef]


class PublishedObservation(models.Model):
    """One value of a harmonized series during the interval it was current (its vintage).

    A revision closes the old row (valid_to) and opens a new one; a withdrawal closes it.
    Rows are never updated otherwise, nor deleted.
    """

    # A row's identity, and the index of as-of and history queries of a series. A release
    # opens at most one value of a series' period, at its instant; the release sets apart two
    # releases published at the same instant. No surrogate id: it was 8 bytes of every row and
    # an index of 22 more, which no reader used (migration 0018).
    pk = models.CompositePrimaryKey("series", "period_start", "valid_from", "release")
    # The columns in the table's order (migration 0021): 8-byte values first, then 4 and text,
    # so that PostgreSQL pads none of them to its alignment.
    value = models.FloatField()
    coverage = models.FloatField(null=True, blank=True)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    # Checked once per statement over the rows written (migration 0015), not row by row.
    # No index of its own: no reader looks values up by release.
    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    # The series' number, not its key (`series_id` here is that number). Checked with the
    # release, once per statement (migration 0021); a series that values point at cannot be
    # deleted. Its index is the primary key's.
    series = models.ForeignKey(
        PublishedSeries,
        to_field="number",
        on_delete=models.PROTECT,
        related_name="+",
        db_column="series_no",
        db_constraint=False,
        db_index=False,
    )
    period_start = models.DateField()
    time_period = models.CharField(max_length=8)
    status = models.CharField(max_length=1)
    # The agency's COMMENT on the national value this one is (STANDARD.md section 2), on the
    # series it sent only; "" elsewhere. db_default keeps raw INSERTs that omit it valid.
    comment = models.TextField(blank=True, default="", db_default="")

    objects = _WithSeriesKey()
    # Not a column: the key of the series, which every row the manager reads carries. Queries
    # that filter or order by key name it `series__series_key`.
    series_key: str

    class Meta:
        indexes = [
            # change feeds (updatedAfter): opened and closed since an instant
            models.Index(fields=["valid_from"], name="published_opened"),
            models.Index(
                fields=["valid_to"], condition=Q(valid_to__isnull=False), name="published_closed"
            ),
        ]
        constraints = [
            # also the index of a series' current values, in period order
            models.UniqueConstraint(
                fields=["series", "period_start"],
                condition=Q(valid_to__isnull=True),
                name="one_current_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{getattr(self, 'series_key', self.series_id)} {self.time_period} = {self.value}"


class SeriesAdjustment(models.Model):
    """H7: the exchange's adjustment of one member's monthly N series (M.TH.C.N.IX): the model
    kept between releases (re-identified at most once a year), the spec, the diagnostics and
    the adjusted values of its latest run; `published` is what readers see, copied when the
    follow-up release that publishes the run is published (never before its instant)."""

    class Status(models.TextChoices):
        ADJUSTED = "ADJUSTED"
        # Too short, a gap, zeros, X-13 stopped or timed out: the finding says which.
        NOT_ADJUSTED = "NOT_ADJUSTED"
        OPTED_OUT = "OPTED_OUT"

    series_key = models.CharField(primary_key=True, max_length=40)
    ref_area = models.CharField(max_length=8)
    activity = models.CharField(max_length=8)
    status = models.CharField(max_length=12, choices=Status.choices)
    model = models.JSONField(null=True, blank=True)  # engine.Model.as_json()
    spec = models.TextField(blank=True)
    diagnostics = models.JSONField(default=dict, blank=True)
    findings = models.JSONField(default=list, blank=True)
    # {"YYYY-MM-DD": value} of Y (table D11) and T (D12); the N series' statuses by month.
    adjusted = models.JSONField(default=dict, blank=True)
    trend = models.JSONField(default=dict, blank=True)
    statuses = models.JSONField(default=dict, blank=True)
    # Adjustments the member sends itself ("Y", "T"): the exchange's are not published.
    member_own = ArrayField(models.CharField(max_length=1), default=list, blank=True)
    source_release = models.ForeignKey(
        Release, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField(default=timezone.now)
    published = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["series_key"]
        indexes = [models.Index(fields=["ref_area", "activity"], name="adjustment_dims")]

    def __str__(self) -> str:
        return f"{self.series_key} {self.status}"


class AdjustmentOptOut(models.Model):
    """A member's request, recorded by the secretariat, that the exchange not adjust one of its
    monthly N series (H7): the series is then skipped, with a finding."""

    series_key = models.CharField(primary_key=True, max_length=40)  # M.TH.C.N.IX
    reason = models.TextField()
    recorded_by = models.CharField(max_length=150, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["series_key"]

    def __str__(self) -> str:
        return f"{self.series_key} opted out on {self.recorded_at:%Y-%m-%d}"


class ValueAddedWeight(models.Model):
    """A member's value added for an activity and year, in constant US dollars (H6 weights)."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    activity = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    value_added = models.DecimalField(max_digits=20, decimal_places=4)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["country_id", "activity", "year"]
        constraints = [
            models.UniqueConstraint(fields=["country", "activity", "year"], name="weight_once"),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.activity} {self.year}: {self.value_added}"


class AggregateChainYear(models.Model):
    """H6: a group's mean over one year of its chain-linked index, in chain units (before H2
    re-references it): of the reference year, and of each year of the stretch of its chain that
    holds it that every member with weight reports whole. Every computation of a group's
    (activity, adjustment) keeps the means it computed, so that a member's next release can
    chain the group on from the year before its window rather than from the chain's start
    (services/chains.py). Not published: derived anew by any full computation."""

    pk = models.CompositePrimaryKey("ref_area", "activity", "adjustment", "year")
    ref_area = models.CharField(max_length=8)  # the group: MKG, MKG_JP
    activity = models.CharField(max_length=8)
    adjustment = models.CharField(max_length=1)
    year = models.PositiveSmallIntegerField()
    mean = models.FloatField()
    # The digest of what else the chain was computed from (chains.py `ChainInputs`): means
    # computed from other members, weights or thresholds than today's are not gone on from.
    inputs = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.ref_area}.{self.activity}.{self.adjustment} {self.year}: {self.mean!r}"
