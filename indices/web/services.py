"""Writes made from the web pages: the API's services, with the signed-in person recorded."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from countries.models import Agency
from indices.receive.models import Submission
from indices.receive.services import SubmissionOptions, submission_create


def web_submission_upload(
    *, agency: Agency, username: str, upload: UploadedFile, options: SubmissionOptions
) -> tuple[Submission, bool]:
    """submission_create, plus who uploaded it. One transaction: the validation task is
    enqueued on commit, after the name is recorded."""
    with transaction.atomic():
        submission, created = submission_create(
            agency=agency,
            credential=None,
            chunks=upload.chunks(),
            original_name=upload.name or "",
            media_type=upload.content_type or "",
            options=options,
            actor=f"{username} (web)",  # as the confirmations made on the web pages
        )
        if created:
            Submission.objects.filter(pk=submission.pk).update(uploaded_by_user=username[:150])
            submission.uploaded_by_user = username[:150]
    return submission, created
