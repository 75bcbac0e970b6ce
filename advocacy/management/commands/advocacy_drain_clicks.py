"""``manage.py advocacy_drain_clicks``: store the clicks waiting outside the database.

With ``REDIS_URL`` set, the ``/s/`` redirect appends each click to a Redis stream
(``ADVOCACY_CLICK_STREAM``) rather than waiting for the database; when Redis and
the database both failed, to a spool file (``ADVOCACY_CLICK_SPOOL_DIR``). Each
round moves the stream into the database, replays the spool files no running
process is writing, and gives the points and milestones still owed for clicks
stored without them (``advocacy.clicks``). Production runs this command beside
``db_worker``; ``--once`` does one round and exits, also without Redis.

It outlives its dependencies: while Redis or the database is away it retries
with back-off (logging when the outage starts and when it ends), and stops
only on SIGTERM or Ctrl+C.
"""

from __future__ import annotations

import logging
import signal
import time

import redis
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connections
from django.utils.translation import gettext as _
from redis.backoff import NoBackoff
from redis.retry import Retry

from advocacy.clicks import clicks_catch_up, clicks_drain
from config.retry import Backoff

logger = logging.getLogger("advocacy.clicks")

# A stalled Redis must not hold the round (and the spool and rewards with it).
REDIS_TIMEOUT_SECONDS = 5.0
# The longest wait between tries while a dependency is away: clicks wait in
# the stream and the spool meanwhile, so this is how late they may come back.
MAX_WAIT_SECONDS = 10.0


def _redis_client() -> redis.Redis:
    # No retries inside the client: the round is retried, with back-off.
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )


class Command(BaseCommand):
    help = (
        "Store the clicks on tracked links queued in Redis or spooled, in batches, "
        "and the rewards still owed for them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Do one round, then exit."
        )
        parser.add_argument(
            "--sleep",
            type=float,
            default=1.0,
            help="Seconds to wait when nothing is queued (default 1).",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, once: bool, sleep: float, batch_size: int, **options):
        if once:
            stored = clicks_drain(batch_size=batch_size) if settings.REDIS_URL else 0
            stored += clicks_catch_up()
            self.stdout.write(_("Stored %(count)s clicks.") % {"count": stored})
            return

        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        previous = signal.signal(signal.SIGTERM, stop)
        redis_backoff = Backoff(
            what="Redis (the click stream)", logger=logger, maximum=MAX_WAIT_SECONDS
        )
        database_backoff = Backoff(
            what="The database (clicks)", logger=logger, maximum=MAX_WAIT_SECONDS
        )
        client: redis.Redis | None = None
        try:
            while not stopping:
                waits = [sleep]
                done = 0
                database_failed = None
                # A batch is acknowledged only after it is stored, so stopping
                # between (or even inside) rounds loses nothing.
                if settings.REDIS_URL:
                    try:
                        client = client or _redis_client()
                        done += clicks_drain(batch_size=batch_size, client=client)
                    except redis.RedisError as error:
                        waits.append(redis_backoff.failed(error))
                        if client is not None:
                            client.close()
                        client = None
                    except DatabaseError as error:
                        database_failed = error
                    else:
                        redis_backoff.succeeded()
                try:
                    done += clicks_catch_up()
                except DatabaseError as error:
                    database_failed = error
                if database_failed is not None:
                    waits.append(database_backoff.failed(database_failed))
                    connections.close_all()
                else:
                    database_backoff.succeeded()
                    close_old_connections()
                wait = max(waits) if done == 0 or len(waits) > 1 else 0
                until = time.monotonic() + wait
                while not stopping and time.monotonic() < until:
                    time.sleep(min(0.2, until - time.monotonic()))
        except KeyboardInterrupt:
            pass
        finally:
            if client is not None:
                client.close()
            signal.signal(signal.SIGTERM, previous)
