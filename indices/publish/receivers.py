"""Publication takes the submissions validation accepts (receive/signals.py)."""

from django.dispatch import receiver

from indices.publish.releases import release_schedule
from indices.receive.models import Submission
from indices.receive.signals import submission_accepted


@receiver(submission_accepted, dispatch_uid="publish-accepted-submission")
def schedule_release(sender: object, submission: Submission, **kwargs: object) -> None:
    release_schedule(submission=submission)
