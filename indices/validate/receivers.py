"""Validation takes the submissions the receiving stage hands on (receive/signals.py)."""

from django.dispatch import receiver

from indices.receive.models import Submission
from indices.receive.signals import submission_received
from indices.validate.tasks import validate_submission


@receiver(submission_received, dispatch_uid="validate-received-submission")
def validate_when_committed(sender: object, submission: Submission, **kwargs: object) -> None:
    # Celery's Django fixup makes every task a DjangoTask; celery-types only knows Task.
    validate_submission.delay_on_commit(str(submission.pk))  # type: ignore[attr-defined]
