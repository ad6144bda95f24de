"""Reads, each scoped to what the calling principal may see."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from countries.models import (
    Agency,
    ApiCredential,
    ConcordanceEntry,
    ConcordanceVersion,
    Country,
    NationalClassification,
)
from countries.principals import Principal


def country_list() -> QuerySet[Country]:
    return Country.objects.all()


def agency_list(*, principal: Principal) -> QuerySet[Agency]:
    """Reporters and the secretariat are public knowledge; readers are visible to the
    secretariat and to themselves only."""
    agencies = Agency.objects.select_related("country")
    if principal.is_secretariat:
        return agencies
    return agencies.exclude(role=Agency.Role.READER) | agencies.filter(pk=principal.agency.pk)


def credential_list(*, principal: Principal) -> QuerySet[ApiCredential]:
    credentials = ApiCredential.objects.select_related("agency")
    if principal.is_secretariat:
        return credentials
    return credentials.filter(agency=principal.agency)


def credential_get(*, principal: Principal, credential_id: int) -> ApiCredential:
    # Another agency's credential is "not found", not "forbidden": existence is not leaked.
    try:
        return credential_list(principal=principal).get(pk=credential_id)
    except ApiCredential.DoesNotExist:
        raise Http404 from None


def classification_list() -> QuerySet[NationalClassification]:
    return NationalClassification.objects.select_related("country").annotate(
        version_count=Count("concordance_versions")
    )


def concordance_version_get(
    *, classification: NationalClassification, version: int | None = None
) -> ConcordanceVersion | None:
    versions = classification.concordance_versions.order_by("-version")
    if version is not None:
        versions = versions.filter(version=version)
    return versions.prefetch_related("entries").first()


def concordance_entries_for_country(*, country_code: str) -> list[ConcordanceEntry]:
    """The current concordance rows of every national classification of a country."""
    entries: list[ConcordanceEntry] = []
    for classification in NationalClassification.objects.filter(country_id=country_code):
        current = classification.concordance_versions.order_by("-version").first()
        if current is not None:
            entries.extend(ConcordanceEntry.objects.filter(version=current))
    return entries


def concordance_revised_isic_codes(*, country_code: str) -> set[str]:
    """The ISIC codes of the national codes whose mapping or weight differs between the
    concordance versions (of any of the country's classifications): stored values of such a
    code may name either activity, depending on the version current when each was validated,
    and the history of a combination (H1) changes with its weights."""
    mappings: dict[str, set[tuple[str, object]]] = {}
    for national_code, isic_code, weight in ConcordanceEntry.objects.filter(
        version__classification__country_id=country_code
    ).values_list("national_code", "isic_code", "weight"):
        mappings.setdefault(national_code, set()).add((isic_code, weight))
    return {isic for found in mappings.values() if len(found) > 1 for isic, _ in found}
