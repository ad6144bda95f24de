"""Publication takes the submissions validation accepts (receive/signals.py), and adjusts the
series its own releases published (H7, after their commit)."""

from django.dispatch import receiver

from indices.publish.models import Release
from indices.publish.releases import release_schedule
from indices.publish.signals import release_published
from indices.publish.tasks import adjust_release
from indices.receive.models import Submission
from indices.receive.signals import submission_accepted


@receiver(submission_accepted, dispatch_uid="publish-accepted-submission")
def schedule_release(sender: object, submission: Submission, **kwargs: object) -> None:
    release_schedule(submission=submission)


@receiver(release_published, dispatch_uid="publish-adjust-published-release")
def adjust_published_release(sender: object, release: Release, **kwargs: object) -> None:
    """A member's release: its changed monthly N series go to the adjustment queue (a follow-up
    release of adjustment itself is not adjusted again)."""
    if release.adjusts_id is None and release.submission_id is not None:
        adjust_release.delay(release.pk)
