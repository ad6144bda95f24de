"""How a submission is handed on to the next stage without this stage importing it.

- `submission_received`: a submission was created and waits for validation (sent inside the
  transaction that created it; validate/receivers.py enqueues its validation on commit).
- `submission_accepted`: a submission was accepted, by validation or by a confirmation of its
  warnings (sent inside the transaction that accepts it; publish/receivers.py schedules its
  release in that same transaction, so an accepted submission always has one).

Both send `submission=` the Submission.
"""

from django.dispatch import Signal

submission_received = Signal()
submission_accepted = Signal()
