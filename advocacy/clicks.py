"""Clicks on tracked links: recorded anonymously, stored once, before the redirect.

Where a click is stored (``click_store``): each way is tried only when the one
before failed or is known to be down, and all of them within ``CLICK_SECONDS``
of the request, so no visitor waits longer whatever Redis and PostgreSQL do.

1. **The Redis stream** ``ADVOCACY_CLICK_STREAM``, when ``REDIS_URL`` is set.
   ``manage.py advocacy_drain_clicks`` moves it into the database in batches
   (production: one insert per click would make the database the bottleneck).
   Redis gets ``REDIS_SECONDS``; one that works answers in well under a
   millisecond.
2. **The database**, the clicks that arrive together sharing one transaction.
   Without ``REDIS_URL`` (``make run``) this is the first way.
3. **The spool**: a file of this process's own in ``ADVOCACY_CLICK_SPOOL_DIR``,
   one JSON line per click, appended and fsync'd before the answer. The
   process replays it into the database once that answers again, and the
   drain replays the files of processes that died; a file is deleted only
   once every click in it is stored.

A visitor is sent on (302) only once one of them holds the click. When none
took it in time the answer is 503 with ``Retry-After``: never a redirect whose
click is lost. A way that just failed is skipped for a moment (``_pause``), so
an outage costs a few visitors the wait, not every visitor.

**Once.** The same click can reach the database twice: Redis may apply an XADD
whose answer never came in time, after the click went the next way; a drain
may die between storing a batch and acknowledging it; a spool file may be
replayed again after a crash. Every click carries a ``uid`` made at the
redirect, unique in the table, and every insert skips the uids already there.

**Rewards.** The drain gives points, milestones and badges in the transaction
that stores its batch, to the clicks it inserted. Clicks stored the other ways
are stored with ``rewards_pending`` and rewarded by ``clicks_reward_pending``,
each once: by the web process a second or so later, and by the drain on every
round.

No IP address is kept anywhere: a visitor is an HMAC of address and user agent
under a salt derived from ``SECRET_KEY`` and the UTC date. The same person
counts once per link and day; the next day's salt makes them unlinkable, and
the salt is never stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import socket
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import redis
import redis.asyncio
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff

from config.retry import Backoff, Breaker

from .models import Click, TrackedLink, click_uid

logger = logging.getLogger(__name__)

# Seconds from the request to the answer, whatever fails.
CLICK_SECONDS = 1.0
# Redis's share of them, per click.
REDIS_SECONDS = 0.25
# What the database leaves of them for the spool.
SPOOL_SECONDS = 0.2
# After a click is stored in the database or spooled, its rewards (and the
# replay of the spool) follow this much later, in the background.
CATCH_UP_SECONDS = 1.0
BATCH_SIZE = 500
SPOOL_SUFFIX = ".jsonl"

# One group, one consumer: the drain is a single process. Entries it read and
# never acknowledged (it died) are read again first on its next start.
DRAIN_GROUP = "drain"
DRAIN_CONSUMER = "drain"
# Stream entries queued before clicks had a uid get one from their entry id,
# the same every time they are read.
STREAM_UIDS = uuid.UUID("6f1d2a43-1c0e-4d5e-9a57-0d3c8f4b2e71")

# Link-preview fetchers and crawlers, by user agent. "bot" must end a word, so
# a phone called "CUBOT" is not one; an empty user agent is no person's browser.
PREVIEW_AGENT = re.compile(
    r"(?<!cu)bot\b|crawl|spider|slurp|facebookexternalhit|facebookcatalog"
    r"|whatsapp|slack|telegram|discord|skypeuripreview|embedly|iframely|vkshare"
    r"|pinterest|mastodon|bluesky|preview|google-pagerenderer",
    re.IGNORECASE,
)
COUNTRY_HEADERS = (b"cf-ipcountry", b"x-country-code")
COUNTRY = re.compile(r"[A-Z]{2}")
WANTED_HEADERS = frozenset(
    (b"user-agent", b"referer", b"x-forwarded-for", *COUNTRY_HEADERS)
)
# Labels of letters, digits, "-" and "_" in any script, separated by dots.
HOST_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)*")
# A last label a browser reads as a number: then the whole host is an IPv4
# address (WHATWG URL, "ends in a number"), in decimal, octal or hex.
NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*", re.ASCII)


@dataclass(frozen=True, slots=True)
class ClickRecord:
    """A click as it travels from the redirect to the database."""

    uid: uuid.UUID
    link_id: int
    network: str
    at: dt.datetime
    referrer_host: str
    country: str
    visitor: str
    preview: bool

    def to_fields(self) -> dict[str, str]:
        """As a stream entry or a spool line."""
        return {
            "uid": self.uid.hex,
            "link": str(self.link_id),
            "network": self.network,
            "at": self.at.isoformat(),
            "referrer": self.referrer_host,
            "country": self.country,
            "visitor": self.visitor,
            "preview": "1" if self.preview else "0",
        }

    @classmethod
    def from_fields(
        cls, fields: dict[str, str], *, uid: uuid.UUID | None = None
    ) -> ClickRecord:
        """From a stream entry or a spool line; ``uid`` if it carries none."""
        return cls(
            uid=uuid.UUID(fields["uid"]) if "uid" in fields or uid is None else uid,
            link_id=int(fields["link"]),
            network=fields["network"],
            at=dt.datetime.fromisoformat(fields["at"]),
            referrer_host=fields["referrer"],
            country=fields["country"],
            visitor=fields["visitor"],
            preview=fields["preview"] == "1",
        )

    def to_model(self, *, rewards_pending: bool = False) -> Click:
        return Click(
            uid=self.uid,
            link_id=self.link_id,
            at=self.at,
            # The UTC date, the day the visitor's salt belongs to: "distinct
            # visitors per link per day" then counts each person once.
            day=self.at.astimezone(dt.UTC).date(),
            network=self.network,
            referrer_host=self.referrer_host,
            country=self.country,
            visitor=self.visitor,
            preview=self.preview,
            rewards_pending=rewards_pending,
        )


# --- What a click records ----------------------------------------------------------

_salts: dict[tuple[str, dt.date], bytes] = {}


def daily_salt(*, day: dt.date) -> bytes:
    """Secret for one UTC day, derived rather than stored, so it cannot leak."""
    key = (settings.SECRET_KEY, day)
    salt = _salts.get(key)
    if salt is None:
        if len(_salts) > 4:
            _salts.clear()
        salt = hmac.new(
            settings.SECRET_KEY.encode(),
            f"click-salt:{day.isoformat()}".encode(),
            hashlib.sha256,
        ).digest()
        _salts[key] = salt
    return salt


def visitor_hash(*, ip: str, user_agent: str, day: dt.date) -> str:
    message = f"{ip}\n{user_agent}".encode("utf-8", "replace")
    return hmac.new(daily_salt(day=day), message, hashlib.sha256).hexdigest()


def is_preview(*, method: str, user_agent: str) -> bool:
    """HEAD requests and link-preview bots are not people clicking."""
    return method == "HEAD" or not user_agent or bool(PREVIEW_AGENT.search(user_agent))


def referrer_host(referrer: str) -> str:
    """The referring site's host name only; nothing for an IP address.

    An address is recognised in every notation a browser accepts, since any
    of them names one machine as plainly as the dotted one: ``127.1``,
    ``2130706433``, ``0x7f.0.0.1``, ``0177.0.0.1``, a trailing dot,
    percent-encoded or full-width digits, and IPv6 (``[::1]``,
    ``[::ffff:127.0.0.1]``). Whatever is not a host name at all is not kept
    either.
    """
    try:
        host = urlsplit(referrer.strip()).hostname or ""
    except ValueError:
        return ""
    host = unicodedata.normalize("NFKC", unquote(host)).lower().removesuffix(".")
    if not HOST_NAME.fullmatch(host):
        return ""
    if NUMERIC_LABEL.fullmatch(host.rpartition(".")[2]):
        return ""
    return host[:255]


def country_code(headers: dict[bytes, bytes]) -> str:
    """Two letters from the CDN or proxy, when it says; "XX" means unknown."""
    for name in COUNTRY_HEADERS:
        value = headers.get(name, b"").decode("latin-1").strip().upper()
        if COUNTRY.fullmatch(value) and value != "XX":
            return value
    return ""


def client_ip(*, scope: dict[str, Any], headers: dict[bytes, bytes]) -> str:
    """The visitor's address, only ever used as input to the visitor hash.

    ``X-Forwarded-For`` is honoured only with ``ADVOCACY_TRUST_X_FORWARDED_FOR``:
    without a proxy that sets it, anyone could pick the address they hash as.
    """
    if settings.ADVOCACY_TRUST_X_FORWARDED_FOR:
        forwarded = headers.get(b"x-forwarded-for", b"").split(b",")[0].strip()
        if forwarded:
            return forwarded.decode("latin-1")
    client = scope.get("client")
    return str(client[0]) if client else ""


def click_record(*, scope: dict[str, Any], link_id: int, network: str) -> ClickRecord:
    """What to store about one request for a tracked link, from its ASGI scope."""
    headers = {
        name: value
        for name, value in scope.get("headers", ())
        if name in WANTED_HEADERS
    }
    user_agent = headers.get(b"user-agent", b"").decode("latin-1")
    at = timezone.now()
    return ClickRecord(
        uid=click_uid(),
        link_id=link_id,
        network=network,
        at=at,
        referrer_host=referrer_host(headers.get(b"referer", b"").decode("latin-1")),
        country=country_code(headers),
        visitor=visitor_hash(
            ip=client_ip(scope=scope, headers=headers),
            user_agent=user_agent,
            day=at.date(),
        ),
        preview=is_preview(method=scope["method"], user_agent=user_agent),
    )


# --- The database ------------------------------------------------------------------


@contextmanager
def _database_session() -> Iterator[None]:
    """Work on a connection opened for it, closed again even after an error.

    A connection kept from before a database restart is dead; one that failed
    midway must not be handed to the next batch.
    """
    close_old_connections()
    try:
        yield
    except DatabaseError:
        connection.close()
        raise
    finally:
        close_old_connections()


def clicks_insert(*, records: list[ClickRecord], rewards_pending: bool) -> list[Click]:
    """Insert the clicks not stored yet, in the caller's transaction; the new rows.

    Clicks on links deleted meanwhile go with their link. The SQL is our own
    for ``ON CONFLICT (uid) DO NOTHING RETURNING``: ``bulk_create`` with
    ``ignore_conflicts`` cannot say which rows it skipped, and only the new
    ones may earn anything. PostgreSQL and SQLite (3.35+) both speak it.
    """
    unique = {record.uid: record for record in records}
    links = set(
        TrackedLink.objects.filter(
            id__in={r.link_id for r in unique.values()}
        ).values_list("id", flat=True)
    )
    rows = [
        record.to_model(rewards_pending=rewards_pending)
        for record in unique.values()
        if record.link_id in links
    ]
    if not rows:
        return []
    meta = Click._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    name = connection.ops.quote_name
    uid_column = name(meta.get_field("uid").column)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    inserted: dict[uuid.UUID, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            cursor.execute(
                f"INSERT INTO {name(meta.db_table)} "  # noqa: S608 - our own names
                f"({', '.join(name(f.column) for f in fields)}) "
                f"VALUES {', '.join([one_row] * len(batch))} "
                f"ON CONFLICT ({uid_column}) DO NOTHING "
                f"RETURNING {name(meta.pk.column)}, {uid_column}",
                [
                    field.get_db_prep_save(field.pre_save(row, True), connection)
                    for row in batch
                    for field in fields
                ],
            )
            inserted.update((uuid.UUID(str(uid)), pk) for pk, uid in cursor.fetchall())
    new = []
    for row in rows:
        if row.uid in inserted:
            row.pk = inserted[row.uid]
            row._state.adding = False
            new.append(row)
    return new


def clicks_store(*, records: list[ClickRecord]) -> int:
    """Store ``records`` in one transaction, their rewards to follow; how many new."""
    with _database_session(), transaction.atomic():
        return len(clicks_insert(records=records, rewards_pending=True))


def clicks_reward_pending(*, batch_size: int = BATCH_SIZE) -> int:
    """Points, milestones and badges for the clicks stored without them; how many.

    Each click once: its row is locked (skipping rows another process holds)
    and marked in the transaction that rewards it.
    """
    from .rewards import clicks_recorded

    rewarded = 0
    while True:
        with transaction.atomic():
            rows = list(
                Click.objects.select_for_update(skip_locked=True)
                .filter(rewards_pending=True)
                .order_by("pk")[:batch_size]
            )
            if rows:
                Click.objects.filter(pk__in=[row.pk for row in rows]).update(
                    rewards_pending=False
                )
                clicks_recorded(clicks=rows)
        rewarded += len(rows)
        if len(rows) < batch_size:
            return rewarded


# --- The spool ---------------------------------------------------------------------


def _folder_sync(folder: Path) -> None:
    """Make a file's name in ``folder`` as durable as its content."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class _Spool:
    """This process's spool file, appended to by one thread at a time.

    The process holds an exclusive ``flock`` on its file while it may write
    to it; a file nobody holds is free to replay: its process released it or
    died. ``release`` lets go of the current file; the next click starts a
    new one. The folder must be local: ``flock`` is what keeps two processes
    from replaying one file at the same time.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.descriptor: int | None = None
        self.opened_for: tuple[int, Path] | None = None

    def append(self, records: list[ClickRecord]) -> None:
        lines = b"".join(
            json.dumps(r.to_fields(), separators=(",", ":")).encode() + b"\n"
            for r in records
        )
        with self.lock:
            descriptor = self._file()
            try:
                view = memoryview(lines)
                while view:
                    view = view[os.write(descriptor, view) :]
                os.fsync(descriptor)
            except OSError:
                # Part of a line may be in the file: nothing more goes after it.
                self._release()
                raise

    def release(self) -> None:
        with self.lock:
            self._release()

    def _file(self) -> int:
        folder = Path(settings.ADVOCACY_CLICK_SPOOL_DIR)
        wanted = (os.getpid(), folder)
        if self.descriptor is not None and self.opened_for == wanted:
            return self.descriptor
        self._release()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"clicks-{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        # Locked before it gets the name replayers look for.
        temporary = folder / f"{name}.tmp"
        descriptor = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC,
            0o600,
        )
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.rename(temporary, folder / f"{name}{SPOOL_SUFFIX}")
            _folder_sync(folder)
        except OSError:
            os.close(descriptor)
            raise
        self.descriptor, self.opened_for = descriptor, wanted
        return descriptor

    def _release(self) -> None:
        if self.descriptor is not None:
            os.close(self.descriptor)
        self.descriptor = self.opened_for = None


_spool = _Spool()


def spool_waiting() -> bool:
    """Whether any spool file is in the folder (being written or not)."""
    folder = Path(settings.ADVOCACY_CLICK_SPOOL_DIR)
    return folder.is_dir() and any(folder.glob(f"*{SPOOL_SUFFIX}"))


def spool_replay() -> int:
    """Store the clicks of every spool file nobody writes to; how many clicks.

    This process's own file is released first. Each file is deleted once all
    of its clicks are stored; a failure leaves it for the next try, and the
    clicks already stored from it are skipped then.
    """
    _spool.release()
    folder = Path(settings.ADVOCACY_CLICK_SPOOL_DIR)
    if not folder.is_dir():
        return 0
    return sum(_spool_file_replay(path) for path in sorted(folder.glob("*.jsonl")))


def _spool_file_replay(path: Path) -> int:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return 0
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # being written, or replayed by another process
        try:
            if os.stat(path).st_ino != os.fstat(descriptor).st_ino:
                return 0
        except FileNotFoundError:
            return 0  # replayed and deleted meanwhile
        with open(descriptor, "rb", closefd=False) as file:
            lines = file.read().splitlines()
        records = []
        for number, line in enumerate(lines, start=1):
            try:
                records.append(ClickRecord.from_fields(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                # Only a line cut short by a crash: its visitor got no answer.
                logger.warning("Skipping line %d of %s: %r", number, path, line[:200])
        for start in range(0, len(records), BATCH_SIZE):
            with transaction.atomic():
                clicks_insert(
                    records=records[start : start + BATCH_SIZE], rewards_pending=True
                )
        path.unlink()
        return len(records)
    finally:
        os.close(descriptor)


def clicks_catch_up() -> int:
    """Replay the spool and reward the clicks stored without rewards; how many."""
    with _database_session():
        return spool_replay() + clicks_reward_pending()


# --- Storing from the redirect -----------------------------------------------------


def stream_name() -> str:
    return settings.ADVOCACY_CLICK_STREAM


def _pause(what: str) -> Breaker:
    """Skip a way of storing clicks for a while after it failed.

    The pause doubles with each failure in a row, from half a second up to
    five; the first failure and the recovery are logged, not every click in
    between.
    """
    return Breaker(
        logger=logger,
        down=f"{what} did not take a click (%s: %s); clicks go the next way meanwhile",
        up=f"{what} takes clicks again",
        shortest=0.5,
        longest=5.0,
    )


# One thread each, so a call that hangs (a database that does not answer)
# holds up neither the event loop nor the other ways.
_threads = {
    name: ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"clicks-{name}")
    for name in ("database", "spool", "catch-up")
}

_async_client: tuple[asyncio.AbstractEventLoop, str, redis.asyncio.Redis] | None = None


def _redis_async() -> redis.asyncio.Redis:
    """One client per event loop: a client cannot be shared between loops."""
    global _async_client
    loop = asyncio.get_running_loop()
    if (
        _async_client is None
        or _async_client[0] is not loop
        or _async_client[1] != settings.REDIS_URL
    ):
        _async_client = (
            loop,
            settings.REDIS_URL,
            # No retries: the next way is the retry.
            redis.asyncio.from_url(
                settings.REDIS_URL,
                socket_timeout=REDIS_SECONDS,
                socket_connect_timeout=REDIS_SECONDS,
                retry=AsyncRetry(NoBackoff(), 0),
            ),
        )
    return _async_client[2]


class _Batcher:
    """Hand the records that arrive together to ``work`` at once, on its thread.

    Under load the clicks that arrive while one call runs share the next, so a
    database that commits a few hundred times a second stores thousands of
    clicks a second. Each caller waits for its batch or its deadline; one
    that gives up leaves any batch not yet started.
    """

    def __init__(self, work: Callable[[list[ClickRecord]], Any], thread: str):
        self.work = sync_to_async(
            work, thread_sensitive=False, executor=_threads[thread]
        )
        self.pending: list[tuple[ClickRecord, asyncio.Future[None]]] = []
        self.task: asyncio.Task[None] | None = None

    async def put(self, record: ClickRecord, *, seconds: float) -> None:
        if seconds <= 0:
            raise TimeoutError
        future = asyncio.get_running_loop().create_future()
        self.pending.append((record, future))
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        # On time-out wait_for cancels the future: _run then leaves it out.
        await asyncio.wait_for(future, seconds)

    async def _run(self) -> None:
        try:
            while self.pending:
                batch = [
                    (record, future)
                    for record, future in self.pending[:BATCH_SIZE]
                    if not future.done()
                ]
                del self.pending[:BATCH_SIZE]
                if not batch:
                    continue
                try:
                    await self.work([record for record, _ in batch])
                except Exception as error:  # noqa: BLE001 - handed to each caller
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                else:
                    for _, future in batch:
                        if not future.done():
                            future.set_result(None)
        finally:
            self.task = None


class _CatchUp:
    """Run ``clicks_catch_up`` in the background soon after it has work.

    Called for every click stored in the database or spooled, it runs at most
    once per ``CATCH_UP_SECONDS``, and again with back-off while the database
    is away.
    """

    def __init__(self) -> None:
        self.work = sync_to_async(
            clicks_catch_up, thread_sensitive=False, executor=_threads["catch-up"]
        )
        self.backoff = Backoff(
            what="Storing spooled clicks and their rewards",
            logger=logger,
            initial=CATCH_UP_SECONDS,
            maximum=10.0,
        )
        self.delay = CATCH_UP_SECONDS
        self.scheduled = False
        self.running = False
        self.again = False

    def soon(self) -> None:
        if self.running:
            self.again = True
        elif not self.scheduled:
            self.scheduled = True
            asyncio.get_running_loop().call_later(self.delay, self._start)

    def _start(self) -> None:
        self.scheduled = False
        self.running = True
        self.again = False
        asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        again = False
        try:
            await self.work()
        except Exception as error:  # noqa: BLE001 - waited out, then tried again
            self.delay = self.backoff.failed(error)
            again = True
        else:
            self.backoff.succeeded()
            self.delay = CATCH_UP_SECONDS
            again = self.again
        finally:
            self.running = False
        if again:
            self.soon()


@dataclass
class _Ways:
    """The ways of storing clicks of one event loop (one per web process)."""

    database: _Batcher
    spool: _Batcher
    catch_up: _CatchUp
    redis_pause: Breaker
    database_pause: Breaker
    spool_pause: Breaker


_ways: tuple[asyncio.AbstractEventLoop, _Ways] | None = None


def _ways_for_loop() -> _Ways:
    global _ways
    loop = asyncio.get_running_loop()
    if _ways is None or _ways[0] is not loop:
        ways = _Ways(
            database=_Batcher(
                lambda records: clicks_store(records=records), "database"
            ),
            spool=_Batcher(lambda records: _spool.append(records), "spool"),
            catch_up=_CatchUp(),
            redis_pause=_pause("Redis"),
            database_pause=_pause("The database"),
            spool_pause=_pause("The click spool"),
        )
        _ways = (loop, ways)
        if spool_waiting():  # left by a process that stopped
            ways.catch_up.soon()
    return _ways[1]


async def click_store(*, record: ClickRecord, deadline: float) -> bool:
    """Store ``record`` by ``deadline`` (``time.monotonic()``); whether it is stored.

    Redis, else the database, else the spool, as the module says.
    """
    ways = _ways_for_loop()
    if settings.REDIS_URL and ways.redis_pause.ready():
        try:
            async with asyncio.timeout(min(REDIS_SECONDS, deadline - time.monotonic())):
                await _redis_async().xadd(stream_name(), record.to_fields())
        except (redis.RedisError, OSError, TimeoutError) as error:
            ways.redis_pause.failed(error)
        else:
            ways.redis_pause.succeeded()
            return True
    if ways.database_pause.ready():
        try:
            await ways.database.put(
                record, seconds=deadline - SPOOL_SECONDS - time.monotonic()
            )
        except Exception as error:  # noqa: BLE001 - any failure: the next way
            ways.database_pause.failed(error)
        else:
            ways.database_pause.succeeded()
            ways.catch_up.soon()
            return True
    if ways.spool_pause.ready():
        try:
            await ways.spool.put(record, seconds=deadline - time.monotonic())
        except Exception as error:  # noqa: BLE001 - then the visitor gets a 503
            ways.spool_pause.failed(error)
        else:
            ways.spool_pause.succeeded()
            ways.catch_up.soon()
            return True
    return False


# --- The drain: from the Redis stream into the database ----------------------------


def _group_ensure(client: redis.Redis, stream: str) -> None:
    try:
        # From the start of the stream: entries added before the group exists
        # are drained too.
        client.xgroup_create(stream, DRAIN_GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def _acknowledge(client: redis.Redis, stream: str, ids: list[bytes]) -> None:
    """Acknowledge and delete together, so the stream does not grow for ever."""
    pipe = client.pipeline(transaction=True)
    pipe.xack(stream, DRAIN_GROUP, *ids)
    pipe.xdel(stream, *ids)
    pipe.execute()


def _entries_store(
    stream: str, entries: Iterable[tuple[bytes, dict[bytes, bytes] | None]]
) -> int:
    records = []
    for entry_id, fields in entries:
        if not fields:  # deleted from the stream while pending
            continue
        try:
            records.append(
                ClickRecord.from_fields(
                    {name.decode(): value.decode() for name, value in fields.items()},
                    uid=uuid.uuid5(STREAM_UIDS, f"{stream}:{entry_id.decode()}"),
                )
            )
        except (KeyError, ValueError, UnicodeDecodeError):
            logger.warning("Dropping malformed click %s: %r", entry_id, fields)
    with transaction.atomic():
        rows = clicks_insert(records=records, rewards_pending=False)
        # Counters, points and milestones; their events go after the commit.
        from .rewards import clicks_recorded

        clicks_recorded(clicks=rows)
    return len(rows)


def clicks_drain(
    *, batch_size: int = BATCH_SIZE, client: redis.Redis | None = None
) -> int:
    """Move the clicks waiting in the Redis stream into the database.

    Each batch is inserted in one transaction and only then acknowledged. A
    drain that dies in between reads its unacknowledged entries again next
    time; their uids are stored already, so none is lost or counted twice.
    Returns how many clicks were stored now. Stops once a batch comes back
    short, so it ends even while clicks keep arriving.
    """
    stream = stream_name()
    own_client = client is None
    if client is None:
        client = redis.Redis.from_url(settings.REDIS_URL)
    stored = 0
    try:
        _group_ensure(client, stream)
        for start in ("0", ">"):
            while True:
                reply = client.xreadgroup(
                    DRAIN_GROUP, DRAIN_CONSUMER, {stream: start}, count=batch_size
                )
                entries = reply[0][1] if reply else []
                if not entries:
                    break
                stored += _entries_store(stream, entries)
                _acknowledge(client, stream, [entry_id for entry_id, _ in entries])
                if len(entries) < batch_size:
                    break
    finally:
        if own_client:
            client.close()
    return stored
