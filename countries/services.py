"""Writes: members, agencies, credentials, classifications and their concordances."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from countries import concordance
from countries.audit import audit_record
from countries.credential_cache import credentials_forget
from countries.models import (
    Agency,
    ApiCredential,
    ConcordanceEntry,
    ConcordanceVersion,
    Country,
    NationalClassification,
)
from countries.principals import SCOPES_BY_ROLE
from countries.standard.selectors import codelist_codes
from countries.standard.services import area_code_add
from countries.tokens import new_token, shown_prefix, token_hash
from ipi_exchange.errors import ApplicationError


@transaction.atomic
def country_create(*, code: str, name: str, aggregates: list[str]) -> Country:
    known_areas = codelist_codes("CL_AREA")
    unknown = [a for a in aggregates if a not in known_areas or len(a) == 2]
    if unknown:
        raise ApplicationError(
            f"Unknown aggregate(s) {', '.join(unknown)}; use regional aggregates such as MKG.",
            code="unknown_aggregate",
        )
    country = Country(code=code, name=name, aggregates=aggregates)
    country.full_clean()
    country.save()
    area_code_add(code=code, name=name)
    return country


@transaction.atomic
def agency_create(*, agency_id: str, name: str, role: str, country: Country | None) -> Agency:
    # Before full_clean, whose check of the same constraint would name no field nor code.
    if role == Agency.Role.REPORTER and country is None:
        raise ApplicationError("A reporting agency needs a country.", code="country_required")
    agency = Agency(id=agency_id, name=name, role=role, country=country)
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def credential_create(
    *,
    agency: Agency,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    actor: str = "",
) -> tuple[ApiCredential, str]:
    """Create a credential; return it with the token, which is never stored nor shown again."""
    allowed = SCOPES_BY_ROLE[agency.role]
    refused = sorted(set(scopes) - allowed)
    if refused:
        raise ApplicationError(
            f"A {agency.role} agency cannot hold the scope(s) {', '.join(refused)}; "
            f"allowed: {', '.join(sorted(allowed))}.",
            code="scope_not_allowed",
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError("expires_at must be in the future.", code="expiry_in_past")
    token = new_token()
    credential = ApiCredential(
        agency=agency,
        name=name,
        prefix=shown_prefix(token),
        token_hash=token_hash(token),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    credential.full_clean()
    credential.save()
    audit_record(
        action="credential.created",
        agency=agency.pk,
        actor=actor,
        object_type="credential",
        object_id=credential.pk,
        details={"name": name, "scopes": credential.scopes, "prefix": credential.prefix},
    )
    return credential, token


@transaction.atomic
def credential_revoke(*, credential: ApiCredential, actor: str = "") -> ApiCredential:
    """Revoke now; revoking twice keeps the first revocation time."""
    revoked = ApiCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        # An UPDATE sends no signal: the fast read path must not know the token any more.
        credentials_forget()
        audit_record(
            action="credential.revoked",
            agency=credential.agency_id,
            actor=actor,
            object_type="credential",
            object_id=credential.pk,
            details={"name": credential.name, "prefix": credential.prefix},
        )
    credential.refresh_from_db()
    return credential


@transaction.atomic
def classification_create(
    *, classification_id: str, name: str, country: Country
) -> NationalClassification:
    classification = NationalClassification(id=classification_id, name=name, country=country)
    classification.full_clean()
    classification.save()
    return classification


@transaction.atomic
def concordance_upload(
    *,
    classification: NationalClassification,
    raw_rows: list[dict],
    created_by: Agency | None,
    comment: str = "",
    actor: str = "",
) -> ConcordanceVersion:
    """Check every row, then store them all as the classification's next version (or nothing)."""
    rows, problems = concordance.check_rows(raw_rows, codelist_codes("CL_ACTIVITY_ISIC4"))
    if problems:
        raise ApplicationError(
            f"The concordance has {len(problems)} problem(s); nothing was stored.",
            code="concordance_invalid",
            extra={"problems": [problem.as_dict() for problem in problems]},
        )
    # Lock the classification so two uploads cannot take the same version number.
    NationalClassification.objects.select_for_update().get(pk=classification.pk)
    latest = classification.concordance_versions.aggregate(latest=Max("version"))["latest"] or 0
    version = ConcordanceVersion.objects.create(
        classification=classification, version=latest + 1, comment=comment, created_by=created_by
    )
    ConcordanceEntry.objects.bulk_create(
        ConcordanceEntry(
            version=version,
            national_code=row.national_code,
            national_name=row.national_name,
            isic_code=row.isic_code,
            weight=row.weight,
        )
        for row in rows
    )
    audit_record(
        action="concordance.uploaded",
        agency=created_by.pk if created_by else "",
        actor=actor,
        object_type="concordance",
        object_id=f"{classification.pk} v{version.version}",
        details={"entries": len(rows), "comment": comment},
    )
    return version
