"""H7 at the exchange: which series a release hands to adjustment, the adjustment of one series
(run by a Celery task per series, publish/tasks.py), the follow-up release that publishes them,
and that release's publication (called by release_publish under the publication lock).

The order of things (docs/seasonal-adjustment.md, "When adjusted values are published"):

1. a member's release is published (its N series stored as vintages);
2. after its commit, `release_published` -> publish/receivers.py enqueues `adjust_release`,
   which splits the changed monthly N series into one `adjust_series` task each (a chord on the
   `adjustment` queue): each runs X-13 and keeps its model, spec, diagnostics and values here,
   in SeriesAdjustment, unpublished;
3. the chord's body schedules a follow-up release at the *same* release_at as the release it
   follows, and the ordinary publisher publishes it: Y and T as their own vintages, the regional
   Y aggregates (H6 over the members' Y), the diagnostics readers see.

Nothing here raises for a bad series: it stays unadjusted with a finding, and the release goes
on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from countries.audit import audit_record
from countries.models import Country
from indices.national.models import NationalObservation
from indices.publish import harmonization as h
from indices.publish.adjustment import Adjustment, Model, adjust
from indices.publish.adjustment.engine import TIMEOUT_SECONDS
from indices.publish.adjustment.series import SECRETARIAT, adjusted_series
from indices.publish.models import (
    AdjustmentOptOut,
    PublishedObservation,
    PublishedSeries,
    Release,
    SeriesAdjustment,
)
from indices.publish.services.chains import (
    ChainInputs,
    GroupPair,
    chains_keep,
    group_aggregated,
    value_added_weights,
)
from indices.publish.services.vintages import VintageChanges, vintages_write

logger = logging.getLogger(__name__)

OPTED_OUT = "Not adjusted: opted out by the member"
CODES = ("Y", "T")


def n_series_key(ref_area: str, activity: str) -> str:
    return f"M.{ref_area}.{activity}.N.IX"


def group_codes() -> set[str]:
    return {g for groups in Country.objects.values_list("aggregates", flat=True) for g in groups}


def series_to_adjust(release: Release, keys: list[str] | None = None) -> list[str]:
    """The members' monthly N index series a published release changed (none for a follow-up
    release of adjustment itself); `keys` (adjusted again, e.g. after an opt-out) if given."""
    if release.adjusts_id is not None or release.status != Release.Status.PUBLISHED:
        return []
    if keys is not None:
        return sorted(keys)
    groups = group_codes()
    keys = []
    for key in release.changed_series:
        freq, area, _activity, adjustment, transformation = key.split(".")
        if (freq, adjustment, transformation) == ("M", "N", "IX") and area not in groups:
            keys.append(key)
    return sorted(keys)


def series_adjust(series_key: str, *, source_release_id: int, timeout: float | None = None) -> str:
    """Adjust one monthly N series as currently published and keep the result (unpublished);
    its status. Never raises for the series' data or X-13: a finding says why it was not
    adjusted."""
    _, area, activity, _, _ = series_key.split(".")
    source = Release.objects.get(pk=source_release_id)
    today = (source.published_at or timezone.now()).date()
    points = list(
        PublishedObservation.objects.filter(series__series_key=series_key, valid_to__isnull=True)
        .order_by("period_start")
        .values_list("period_start", "value", "status")
    )
    values = {period: value for period, value, _ in points}
    statuses = {str(period): status for period, _, status in points}
    member_own = sorted(
        set(
            NationalObservation.objects.filter(
                series__ref_area=area, activity=activity, series__adjustment__in=CODES
            )
            .values_list("series__adjustment", flat=True)
            .distinct()
        )
    )
    row = SeriesAdjustment.objects.filter(pk=series_key).first()
    stored = Model.from_json(row.model) if row is not None and row.model else None
    opt_out = AdjustmentOptOut.objects.filter(pk=series_key).first()
    if opt_out is not None:
        result = Adjustment(series_key)
        result.model = stored
        result.findings.append(f"{OPTED_OUT} ({opt_out.recorded_at:%Y-%m-%d}: {opt_out.reason}).")
        status = SeriesAdjustment.Status.OPTED_OUT
    else:
        try:
            result = adjust(
                series_key=series_key,
                country=area,
                values=values,
                today=today,
                model=stored,
                timeout=timeout if timeout is not None else TIMEOUT_SECONDS,
            )
        except Exception as error:  # a bug on one series never stops the release
            logger.exception("adjustment of %s failed", series_key)
            result = Adjustment(series_key, findings=[f"Not adjusted: {error!r}."])
        if not result.ok and result.model is None:
            result.model = stored  # a failed run keeps the model identified before
        status = (
            SeriesAdjustment.Status.ADJUSTED if result.ok else SeriesAdjustment.Status.NOT_ADJUSTED
        )
    if result.ok and member_own:
        result.findings.append(
            f"The member publishes its own {' and '.join(member_own)}: the exchange's "
            "adjustment is kept in these diagnostics only."
        )
    with transaction.atomic():
        current = SeriesAdjustment.objects.select_for_update().filter(pk=series_key).first()
        if current is not None and (current.source_release_id or 0) > source_release_id:
            return current.status  # a later release's run got here first: keep it
        SeriesAdjustment.objects.update_or_create(
            series_key=series_key,
            defaults={
                "ref_area": area,
                "activity": activity,
                "status": status,
                "model": result.model.as_json() if result.model else None,
                "spec": result.spec,
                "diagnostics": result.diagnostics,
                "findings": result.findings,
                "adjusted": {str(k): v for k, v in result.adjusted.items()},
                "trend": {str(k): v for k, v in result.trend.items()},
                "statuses": statuses,
                "member_own": member_own,
                "source_release_id": source_release_id,
                "computed_at": timezone.now(),
            },
        )
    logger.info("adjusted %s: %s %s", series_key, status, "; ".join(result.findings))
    return status


def adjustment_opt_out_record(series_key: str, *, reason: str, by: str = "") -> AdjustmentOptOut:
    """Record (or update the reason of) an opt-out, audited; `by`: who at the secretariat."""
    opt_out_key_check(series_key)
    if not reason.strip():
        raise ValueError("Say why the member opts out: the reason is shown in the diagnostics.")
    opt_out, _ = AdjustmentOptOut.objects.update_or_create(
        series_key=series_key,
        defaults={"reason": reason.strip(), "recorded_by": by, "recorded_at": timezone.now()},
    )
    audit_record(
        action="adjustment.opted_out",
        agency="MKG_SEC",
        actor=by,
        object_type="series",
        object_id=series_key,
        details={"reason": opt_out.reason},
    )
    return opt_out


def adjustment_opt_out_withdraw(series_key: str, *, by: str = "") -> None:
    opt_out_key_check(series_key)
    if AdjustmentOptOut.objects.filter(pk=series_key).delete()[0]:
        audit_record(
            action="adjustment.opt_out_withdrawn",
            agency="MKG_SEC",
            actor=by,
            object_type="series",
            object_id=series_key,
            details={},
        )


def adjustment_opt_outs() -> list[AdjustmentOptOut]:
    return list(AdjustmentOptOut.objects.all())


def opt_out_key_check(series_key: str) -> None:
    """ValueError unless `series_key` names a member's monthly N index series."""
    parts = series_key.split(".")
    if len(parts) != 5 or parts[0] != "M" or parts[3] != "N" or parts[4] != "IX":
        raise ValueError(f"{series_key!r} is not a monthly N index series key (M.TH.C.N.IX).")
    if parts[1] in group_codes():
        raise ValueError(f"{parts[1]} is a regional aggregate: its Y is built from its members'.")


def latest_source_release(series_key: str) -> Release | None:
    """The latest published member release that changed the series (to adjust it again)."""
    return (
        Release.objects.filter(
            status=Release.Status.PUBLISHED,
            adjusts__isnull=True,
            changed_series__contains=[series_key],
        )
        .order_by("-published_at", "-id")
        .first()
    )


def adjustment_release_schedule(source_release_id: int, series_keys: list[str]) -> Release | None:
    """The follow-up release publishing the adjustment of `series_keys`, at the release_at of
    the release whose data they adjust (one per source release)."""
    if not series_keys:
        return None
    source = Release.objects.get(pk=source_release_id)
    existing = Release.objects.filter(
        adjusts=source, status=Release.Status.SCHEDULED, adjusted_series=sorted(series_keys)
    ).first()
    if existing is not None:
        return existing  # the chord's body ran twice (redelivery): once is enough
    return Release.objects.create(
        agency=source.agency,
        ref_area=source.ref_area,
        release_at=source.release_at,
        adjusts=source,
        adjusted_series=sorted(series_keys),
        description=f"seasonal adjustment (H7) of release {source.pk}",
    )


def adjustment_publish(release: Release, *, instant: datetime, standard) -> VintageChanges:
    """Publish a follow-up release (in release_publish's transaction): the members' exchange Y
    and T (where the member does not send its own), then the regional Y and T (H6 over the
    members' current Y and T), then the diagnostics readers see."""
    rows = list(SeriesAdjustment.objects.filter(series_key__in=release.adjusted_series))
    attributes = {
        s.series_key: s.attributes
        for s in PublishedSeries.objects.filter(series_key__in=[r.series_key for r in rows])
    }
    series: list[h.HarmonizedSeries] = []
    scopes: list[tuple[str, str, str]] = []
    for row in rows:
        codes = [c for c in CODES if c not in row.member_own]
        scopes += [(row.ref_area, row.activity, code) for code in codes]
        if row.status == SeriesAdjustment.Status.ADJUSTED:
            result = Adjustment(
                row.series_key,
                adjusted={date.fromisoformat(k): v for k, v in row.adjusted.items()},
                trend={date.fromisoformat(k): v for k, v in row.trend.items()},
            )
            series += [
                s
                for s in adjusted_series(
                    result,
                    ref_area=row.ref_area,
                    activity=row.activity,
                    statuses={date.fromisoformat(k): v for k, v in row.statuses.items()},
                    attributes=attributes.get(row.series_key, {}),
                )
                if s.adjustment in codes
            ]
    members = vintages_write(series=series, scopes=scopes, release=release, instant=instant)
    groups = _regional({row.ref_area for row in rows}, {row.activity for row in rows}, standard)
    regional = vintages_write(
        series=groups.series, scopes=groups.scopes, release=release, instant=instant
    )
    for row in rows:
        row.published = {
            "status": row.status,
            "model": row.model,
            "spec": row.spec,
            "diagnostics": row.diagnostics,
            "findings": row.findings,
            "member_own": row.member_own,
            "compiling_org": SECRETARIAT,
            "release": release.pk,
        }
        row.published_at = instant
        row.save(update_fields=["published", "published_at"])
    return VintageChanges(
        series_keys=sorted(set(members.series_keys) | set(regional.series_keys)),
        opened=members.opened + regional.opened,
        withdrawn=members.withdrawn + regional.withdrawn,
    )


class _Groups:
    def __init__(self) -> None:
        self.series: list[h.HarmonizedSeries] = []
        self.scopes: list[tuple[str, str, str]] = []


def _regional(areas: set[str], activities: set[str], standard) -> _Groups:
    """H6 over the members' current monthly Y and T (exchange's or their own), for the groups
    the adjusted members count in. The same aggregates a weights release recomputes (every
    adjustment published), so the two paths agree: no annual values, COMPILING_ORG MKG_SEC
    (aggregate_group, for Y and T whichever path)."""
    found = _Groups()
    members_by_group: dict[str, list[str]] = defaultdict(list)
    groups: set[str] = set()
    for code, aggregates in Country.objects.values_list("code", "aggregates"):
        for group in aggregates:
            members_by_group[group].append(code)
            if code in areas:
                groups.add(group)
    if not groups:
        return found
    inputs = ChainInputs(
        members_by_group,
        value_added_weights(),
        standard.threshold("H6", "min_coverage_pct"),
        standard.ref_year,
    )
    keys = [
        f"M.{m}.{activity}.{code}.IX"
        for group in groups
        for m in members_by_group[group]
        for activity in activities
        for code in CODES
    ]
    points: dict[str, list[h.Point]] = defaultdict(list)
    for key, period, value, status in (
        PublishedObservation.objects.filter(series__series_key__in=set(keys), valid_to__isnull=True)
        .order_by("series__series_key", "period_start")
        .values_list("series__series_key", "period_start", "value", "status")
    ):
        points[key].append(h.Point(period, value, status))
    chains: dict[GroupPair, h.ChainMeans] = {}
    for group in sorted(groups):
        per_member: dict[str, list[h.HarmonizedSeries]] = {}
        for member in members_by_group[group]:
            per_member[member] = [
                h.HarmonizedSeries(
                    freq="M",
                    ref_area=member,
                    activity=activity,
                    adjustment=code,
                    transformation="IX",
                    points=tuple(points[f"M.{member}.{activity}.{code}.IX"]),
                )
                for activity in sorted(activities)
                for code in CODES
                if points.get(f"M.{member}.{activity}.{code}.IX")
            ]
        found.series += group_aggregated(group, per_member, inputs, chains)
        found.scopes += [(group, activity, code) for activity in activities for code in CODES]
    chains_keep(chains, inputs)  # as every computation of a group's chain (services/chains.py)
    return found
