"""What readers see changes with each publication: the stored answers of the data endpoints
(indices/disseminate/answers.py) are forgotten when a release is saved (scheduled, published,
failed: at once, in its transaction) and again after the commit (`release_published` for a
publication, which the publication sends after its commit; otherwise on commit)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from indices.disseminate.answers import answers_forget, publication_changed
from indices.publish.models import Release
from indices.publish.signals import release_published


@receiver(post_save, sender=Release, dispatch_uid="disseminate-answers-release-saved")
def _release_saved(sender, instance: Release, **kwargs) -> None:
    if instance.status == Release.Status.PUBLISHED:
        answers_forget()
    else:
        publication_changed()


@receiver(release_published, dispatch_uid="disseminate-answers-release-published")
def _release_published(sender, **kwargs) -> None:
    answers_forget()
