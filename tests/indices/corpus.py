"""Running corpus files (tests/corpus/) through the real pipeline, in-process."""

from __future__ import annotations

import json
from pathlib import Path

from countries.models import Agency, NationalClassification
from countries.services import concordance_upload
from indices.publish.releases import releases_publish_due
from indices.receive.models import Submission
from indices.receive.services import SubmissionOptions, submission_create
from indices.validate.services import submission_confirm, submission_validate

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def manifest() -> list[dict]:
    path = CORPUS / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else []


def load_concordances(extra_division_weights: dict | None = None) -> None:
    path = CORPUS / "concordances.json"
    concordances = json.loads(path.read_text()) if path.exists() else {}
    for classification_id, entries in concordances.items():
        entries = list(entries)
        # Division weights for W09 come from the concordance: add them as national codes.
        for division, weight in (extra_division_weights or {}).items():
            entries.append(
                {"national_code": f"W{division}", "isic_code": division, "weight": str(weight)}
            )
        concordance_upload(
            classification=NationalClassification.objects.get(pk=classification_id),
            raw_rows=entries,
            created_by=Agency.objects.get(pk="MKG_SEC"),
        )


def submit_and_validate(relative: str, agency_id: str = "TH_OIE", **options) -> Submission:
    path = CORPUS / relative
    submission, _ = submission_create(
        agency=Agency.objects.get(pk=agency_id),
        credential=None,
        chunks=[path.read_bytes()],
        original_name=path.name,
        media_type="",
        options=SubmissionOptions(**options),
    )
    submission_validate(submission.pk)
    submission.refresh_from_db()
    return submission


def accept(relative: str, agency_id: str = "TH_OIE") -> Submission:
    submission = submit_and_validate(relative, agency_id)
    if submission.status == Submission.Status.NEEDS_CONFIRMATION:
        submission = submission_confirm(submission=submission)
    assert submission.status == Submission.Status.ACCEPTED, (relative, submission.summary)
    releases_publish_due()  # the national store, which later rules read, changes at release
    return submission
