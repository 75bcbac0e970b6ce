"""``manage.py db_worker``: django-tasks-db's worker, kept alive through outages.

``config`` comes before ``django_tasks_db`` in INSTALLED_APPS, so this command
is the one ``db_worker`` runs. The worker itself is django-tasks-db's: on a
database error its loop ends with the error, which would end the process (and
leave tasks waiting until someone restarts it). Here the error is waited out
with capped back-off, logged once when the outage starts and once when it
ends, and the same worker loop starts again.
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError, connections, router
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from config.retry import Backoff, retry_until_success

logger = logging.getLogger(__name__)
# Lost connections, a server restarting or refusing: what an outage raises.
# Anything else (a missing table, a bug) still stops the worker loudly.
OUTAGE_ERRORS = (OperationalError, InterfaceError)
# Longest wait between two tries: how late, at worst, tasks resume after the
# database is back.
MAX_WAIT_SECONDS = 10.0


def _database_answers(alias: str) -> None:
    connection = connections[alias]
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


class Command(db_worker.Command):
    help = db_worker.Command.help + ", waiting out database outages"

    def handle(self, **options) -> None:
        alias = router.db_for_write(DBTaskResult)
        backoff = Backoff(
            what=f"Task worker: database {alias!r}",
            logger=logger,
            maximum=MAX_WAIT_SECONDS,
        )
        while True:
            try:
                return super().handle(**options)
            except OUTAGE_ERRORS as error:
                time.sleep(backoff.failed(error))
            retry_until_success(
                lambda: _database_answers(alias),
                errors=OUTAGE_ERRORS,
                backoff=backoff,
            )
