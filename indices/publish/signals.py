"""`release_published`: a release was published (sent after its transaction committed, with
`release=` the Release); disseminate/webhooks/receivers.py tells the subscribers."""

from django.dispatch import Signal

release_published = Signal()
