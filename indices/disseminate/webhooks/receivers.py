"""Webhooks tell subscribers of each published release (publish/signals.py)."""

from django.dispatch import receiver

from indices.disseminate.webhooks.tasks import release_announce
from indices.publish.models import Release
from indices.publish.signals import release_published


@receiver(release_published, dispatch_uid="webhooks-published-release")
def announce_release(sender: object, release: Release, **kwargs: object) -> None:
    release_announce(release)
