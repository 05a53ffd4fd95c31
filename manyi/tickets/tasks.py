"""Background jobs of tickets (Django Tasks API, as the campaigns' invitations).

Each job is idempotent: the callback is claimed before it is sent (see callback.py).
"""

from django_tasks import task

from . import callback


@task()
def send_callback(ticket_id: int) -> str:
    return callback.send_callback(ticket_id)


@task()
def send_due_callbacks() -> dict:
    return callback.send_due_callbacks()
