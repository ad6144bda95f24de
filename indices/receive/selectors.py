"""Reads of submissions, scoped to the caller: its own agency's, or all for the secretariat."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from countries.principals import Principal
from indices.receive.models import Submission


def submission_list(*, principal: Principal) -> QuerySet[Submission]:
    submissions = Submission.objects.select_related("agency")
    if principal.is_secretariat:
        return submissions
    return submissions.filter(agency=principal.agency)


def submission_get(*, principal: Principal, submission_id: str) -> Submission:
    """Another agency's submission is "not found", never "forbidden": existence is not leaked."""
    try:
        key = uuid.UUID(str(submission_id))
    except ValueError:
        raise Http404 from None
    submission = submission_list(principal=principal).filter(pk=key).first()
    if submission is None:
        raise Http404
    return submission
