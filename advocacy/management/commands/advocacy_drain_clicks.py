"""``manage.py advocacy_drain_clicks``: move queued clicks from Redis into the database.

With ``REDIS_URL`` set, the ``/s/`` redirect appends each click to a Redis stream
(``ADVOCACY_CLICK_STREAM``) rather than waiting for the database. Production runs
this command beside ``db_worker``; ``--once`` drains what is queued and exits.
"""

from __future__ import annotations

import signal
import time

import redis
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.translation import gettext as _

from advocacy.clicks import clicks_drain


class Command(BaseCommand):
    help = "Store the clicks on tracked links queued in Redis, in batches."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Drain what is queued, then exit."
        )
        parser.add_argument(
            "--sleep",
            type=float,
            default=1.0,
            help="Seconds to wait when the queue is empty (default 1).",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, once: bool, sleep: float, batch_size: int, **options):
        if not settings.REDIS_URL:
            self.stdout.write(
                _("No REDIS_URL: clicks are stored as they happen; nothing to drain.")
            )
            return
        if once:
            stored = clicks_drain(batch_size=batch_size)
            self.stdout.write(_("Stored %(count)s clicks.") % {"count": stored})
            return

        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        previous = signal.signal(signal.SIGTERM, stop)
        client = redis.Redis.from_url(settings.REDIS_URL)
        try:
            while not stopping:
                # A batch is acknowledged only after it is stored, so stopping
                # between (or even inside) drains loses nothing.
                try:
                    drained = clicks_drain(batch_size=batch_size, client=client)
                except (redis.ConnectionError, redis.TimeoutError) as error:
                    self.stderr.write(
                        _("Redis unreachable: %(error)s") % {"error": error}
                    )
                    drained = 0
                if not drained:
                    time.sleep(sleep)
                close_old_connections()
        except KeyboardInterrupt:
            pass
        finally:
            client.close()
            signal.signal(signal.SIGTERM, previous)
