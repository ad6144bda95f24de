"""What readers see changes with each publication, and these receivers keep the read path
true to it, in this order (receivers run in the order they connect):

1. The read replicas' mark (ipi_exchange/replica_mark.py) moves to the primary's position
   after the publication's commit, in whichever process published it: a replica answers
   again only once it has replayed the release.
2. The stored answers of the data endpoints (indices/disseminate/answers.py) are forgotten
   when a release is saved (scheduled, published, failed: at once, in its transaction) and
   again after the commit (`release_published` for a publication, which the publication sends
   after its commit; otherwise on commit). After the mark: an answer made in between from a
   replica that had not replayed the release is forgotten with the rest.

Both run before the webhooks announce the release (indices/apps.py connects this module
first)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from indices.disseminate.answers import answers_forget, publication_changed
from indices.publish.models import Release
from indices.publish.signals import release_published
from ipi_exchange.replica_mark import primary_lsn_record


@receiver(release_published, dispatch_uid="replicas-published-release")
def replica_mark_move(sender: object, release: Release, **kwargs: object) -> None:
    primary_lsn_record()


@receiver(post_save, sender=Release, dispatch_uid="disseminate-answers-release-saved")
def _release_saved(sender, instance: Release, **kwargs) -> None:
    if instance.status == Release.Status.PUBLISHED:
        answers_forget()
    else:
        publication_changed()


@receiver(release_published, dispatch_uid="disseminate-answers-release-published")
def _release_published(sender, **kwargs) -> None:
    answers_forget()
