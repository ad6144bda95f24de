"""Reads of the standard: the current version, its codelists."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from countries.standard.models import Code, Codelist, StandardVersion


def standard_current() -> StandardVersion:
    return StandardVersion.objects.get(is_current=True)


def codelist_list() -> QuerySet[Codelist]:
    return (
        Codelist.objects.filter(standard__is_current=True)
        .select_related("standard")
        .prefetch_related(Prefetch("codes", queryset=Code.objects.order_by("position")))
    )


def codelist_codes(codelist_id: str) -> frozenset[str]:
    return frozenset(
        Code.objects.filter(
            codelist__standard__is_current=True, codelist__codelist_id=codelist_id
        ).values_list("code", flat=True)
    )
