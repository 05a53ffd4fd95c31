"""One background worker of the configured queue (issue 17, point 2), so that one systemd unit
(deploy/systemd/manyi-worker@.service) serves either: TASKS_BACKEND=database runs django-tasks-db's
``db_worker`` (a job is claimed with SELECT … FOR UPDATE SKIP LOCKED), TASKS_BACKEND=rq runs
django-rq's ``rqworker`` with django-tasks-rq's job class (a job is popped from Redis by one
worker). Either way any number of workers on any number of servers run each job once."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Runs a background worker of the configured task queue (TASKS_BACKEND=database: db_worker; "
        "rq: rqworker). Run several, on several servers if need be."
    )

    def add_arguments(self, parser):
        parser.add_argument("--worker-id", help="a name unique among the workers (default: generated)")
        parser.add_argument("--batch", action="store_true", help="run the jobs waiting now, then stop")

    def handle(self, *args, worker_id=None, batch=False, verbosity=1, **options):
        if settings.TASKS_BACKEND == "rq":
            extra = {"name": worker_id} if worker_id else {}
            call_command(
                "rqworker",
                "default",
                job_class="django_tasks_rq.Job",
                burst=batch,
                with_scheduler=True,  # jobs queued to run later (run_after)
                verbosity=verbosity,
                **extra,
            )
        else:
            extra = {"worker_id": worker_id} if worker_id else {}
            call_command("db_worker", batch=batch, reload=False, verbosity=verbosity, **extra)
