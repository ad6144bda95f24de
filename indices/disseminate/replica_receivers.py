"""A published release moves the read replicas' mark (ipi_exchange/replica_mark.py), in
whichever process publishes it: replicas answer again only once they have replayed it. Sent
after the release's commit, and heard before the webhooks announce it (indices/apps.py)."""

from django.dispatch import receiver

from indices.publish.models import Release
from indices.publish.signals import release_published
from ipi_exchange.replica_mark import primary_lsn_record


@receiver(release_published, dispatch_uid="replicas-published-release")
def replica_mark_move(sender: object, release: Release, **kwargs: object) -> None:
    primary_lsn_record()
