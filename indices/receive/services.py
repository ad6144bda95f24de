"""Receiving submissions: keep the file, deduplicate, create, hand on to validation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from countries.audit import audit_record
from countries.models import Agency, ApiCredential
from indices.receive.files import file_store
from indices.receive.models import Submission
from indices.receive.signals import submission_received
from ipi_exchange.errors import NotAllowed, Unprocessable


@dataclass(frozen=True)
class SubmissionOptions:
    action: str = Submission.Action.MERGE
    release_at: datetime | None = None
    dry_run: bool = False
    acknowledge_warnings: bool = False
    comment: str = ""


def submission_create(
    *,
    agency: Agency,
    credential: ApiCredential | None,
    chunks: Iterable[bytes],
    original_name: str,
    media_type: str,
    options: SubmissionOptions,
    idempotency_key: str = "",
    actor: str = "",
) -> tuple[Submission, bool]:
    """Keep the file, then create the submission; its validation is enqueued after commit.

    Returns (submission, created). An earlier submission is returned instead of a new one when
    the Idempotency-Key was seen before, or when the same bytes with the same options from the
    same agency are still pending or accepted and not yet published (a clerk pressing "upload"
    twice must not submit twice; see `_earlier_submission`). `actor` is who the audit log
    names (a person on the web pages); by default the credential.
    """
    if agency.role != Agency.Role.REPORTER or agency.country_id is None:
        raise NotAllowed(
            "Only reporting agencies upload data, each about its own country.",
            code="permission_denied",
        )
    stored = file_store(chunks, max_bytes=settings.IPI_MAX_UPLOAD_BYTES)
    with transaction.atomic():
        # One upload of an agency at a time through this section: deduplication is race-free.
        Agency.objects.select_for_update().get(pk=agency.pk)
        earlier = _earlier_submission(agency, stored.sha256, options, idempotency_key)
        if earlier is not None:
            return earlier, False
        submission = Submission(
            agency=agency,
            credential=credential,
            action=options.action,
            release_at=options.release_at,
            dry_run=options.dry_run,
            acknowledge_warnings=options.acknowledge_warnings,
            comment=options.comment,
            idempotency_key=idempotency_key,
            sha256=stored.sha256,
            size=stored.size,
            original_name=original_name[:255],
            media_type=media_type[:100],
        )
        submission.full_clean()
        submission.save()
        audit_record(
            action="submission.received",
            agency=agency.pk,
            actor=actor or (f"{credential.name} ({credential.prefix}…)" if credential else ""),
            object_type="submission",
            object_id=submission.pk,
            details={
                "file": submission.original_name,
                "sha256": submission.sha256,
                "size": submission.size,
                "action": submission.action,
                "dry_run": submission.dry_run,
            },
        )
        submission_received.send(sender=Submission, submission=submission)
    return submission, True


def _earlier_submission(
    agency: Agency, sha256: str, options: SubmissionOptions, idempotency_key: str
) -> Submission | None:
    if idempotency_key:
        earlier = Submission.objects.filter(agency=agency, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.sha256 != sha256:
                raise Unprocessable(
                    "This Idempotency-Key was already used for a different file; use a new key "
                    "for a new upload.",
                    code="idempotency_key_reused",
                    extra={"submission": str(earlier.pk)},
                )
            return earlier
    # A true repeat (a double click, a retry): the same bytes with the same options while the
    # earlier copy is still pending, or accepted and its release still SCHEDULED. Once published,
    # the same bytes again are a new submission: re-sending an older file reverts a later one
    # (and a FAILED release will never publish, so a new copy is a new attempt). The comment
    # does not count; every other option changes what the submission does.
    repeat = Submission.objects.filter(
        Q(status__in=Submission.PENDING)
        # The release is publication's (indices.publish.models.Release), reached by its relation.
        | Q(status=Submission.Status.ACCEPTED, release__status="SCHEDULED"),
        agency=agency,
        sha256=sha256,
        dry_run=options.dry_run,
        release_at=options.release_at,
        acknowledge_warnings=options.acknowledge_warnings,
        # `action` is stored as the submission does it, which an SDMX-CSV ACTION column may
        # have changed from the merge asked for: a repeat of such a file, once validated, is a
        # new submission doing the same again (harmless). A repeat never gets another action.
        action=options.action,
    )
    return repeat.order_by("-received_at").first()
