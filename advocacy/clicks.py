"""Clicks on tracked links: recorded anonymously, stored durably, previews apart.

A click is stored before its redirect is answered, so a worker that restarts
loses none: straight into the database when there is no Redis (``make run``),
or appended to a Redis stream that ``manage.py advocacy_drain_clicks`` moves
into the database in batches (production, where one insert per click would
make the database the bottleneck).

No IP address is kept anywhere: a visitor is an HMAC of address and user agent
under a salt derived from ``SECRET_KEY`` and the UTC date. The same person
counts once per link and day; the next day's salt makes them unlinkable, and
the salt is never stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis
import redis.asyncio
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.utils import timezone

from .models import Click, TrackedLink

logger = logging.getLogger(__name__)

# One group, one consumer: the drain is a single process. Entries it read and
# never acknowledged (it died) are read again first on its next start.
DRAIN_GROUP = "drain"
DRAIN_CONSUMER = "drain"

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


@dataclass(frozen=True, slots=True)
class ClickRecord:
    """A click as it travels from the redirect to the database."""

    link_id: int
    network: str
    at: dt.datetime
    referrer_host: str
    country: str
    visitor: str
    preview: bool

    def to_fields(self) -> dict[str, str]:
        return {
            "link": str(self.link_id),
            "network": self.network,
            "at": self.at.isoformat(),
            "referrer": self.referrer_host,
            "country": self.country,
            "visitor": self.visitor,
            "preview": "1" if self.preview else "0",
        }

    @classmethod
    def from_fields(cls, fields: dict[bytes, bytes]) -> ClickRecord:
        def text(name: str) -> str:
            return fields[name.encode()].decode()

        return cls(
            link_id=int(text("link")),
            network=text("network"),
            at=dt.datetime.fromisoformat(text("at")),
            referrer_host=text("referrer"),
            country=text("country"),
            visitor=text("visitor"),
            preview=text("preview") == "1",
        )

    def to_model(self) -> Click:
        return Click(
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
        )


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
    """The referring site's host name only; nothing when it is an IP address."""
    try:
        host = urlsplit(referrer.strip()).hostname or ""
    except ValueError:
        return ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host[:255]
    return ""


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


def stream_name() -> str:
    return settings.ADVOCACY_CLICK_STREAM


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
            # Short timeouts: a stuck Redis falls back to the database.
            redis.asyncio.from_url(
                settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
            ),
        )
    return _async_client[2]


def clicks_store(*, records: list[ClickRecord]) -> list[Exception | None]:
    """Insert ``records`` in one transaction; what failed for each, if anything.

    If the batch fails (a link deleted meanwhile, say), each record is tried on
    its own so one bad click does not cost the others.
    """
    close_old_connections()
    try:
        try:
            with transaction.atomic():
                Click.objects.bulk_create([r.to_model() for r in records])
        except DatabaseError:
            if len(records) == 1:
                raise
        else:
            return [None] * len(records)
        errors: list[Exception | None] = []
        for record in records:
            try:
                record.to_model().save(force_insert=True)
            except DatabaseError as error:
                errors.append(error)
            else:
                errors.append(None)
        return errors
    finally:
        close_old_connections()


_clicks_store_async = sync_to_async(clicks_store, thread_sensitive=False)


class _GroupCommit:
    """Store clicks one transaction per batch, each caller waiting for its commit.

    Under load, the clicks that arrive while a transaction runs share the next
    one, so a database that commits a few hundred times a second still stores
    thousands of clicks a second, each before its redirect is answered.
    """

    batch_size = 500

    def __init__(self) -> None:
        self.pending: list[tuple[ClickRecord, asyncio.Future[None]]] = []
        self.task: asyncio.Task[None] | None = None

    async def store(self, record: ClickRecord) -> None:
        future = asyncio.get_running_loop().create_future()
        self.pending.append((record, future))
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        await future

    async def _run(self) -> None:
        try:
            while self.pending:
                batch = self.pending[: self.batch_size]
                del self.pending[: self.batch_size]
                try:
                    errors = await _clicks_store_async(records=[r for r, _ in batch])
                except Exception as error:  # noqa: BLE001 - handed to each caller
                    errors = [error] * len(batch)
                from .stats import stats_mark

                stats_mark(
                    r
                    for (r, _), e in zip(batch, errors, strict=True)
                    if e is None and not r.preview
                )
                for (_, future), error in zip(batch, errors, strict=True):
                    if future.done():  # its request was cancelled
                        continue
                    if error is None:
                        future.set_result(None)
                    else:
                        future.set_exception(error)
        finally:
            self.task = None


_group_commit: tuple[asyncio.AbstractEventLoop, _GroupCommit] | None = None


def _group_commit_for_loop() -> _GroupCommit:
    global _group_commit
    loop = asyncio.get_running_loop()
    if _group_commit is None or _group_commit[0] is not loop:
        _group_commit = (loop, _GroupCommit())
    return _group_commit[1]


async def click_append(*, record: ClickRecord) -> None:
    """Store ``record`` durably: in the Redis stream, or else in the database.

    Returns once it is stored. A failure is logged and swallowed: a visitor
    is sent on even when the click cannot be counted.
    """
    if settings.REDIS_URL:
        try:
            await _redis_async().xadd(stream_name(), record.to_fields())
        except redis.RedisError:
            logger.exception("Click not queued in Redis; storing it directly")
        else:
            return
    try:
        await _group_commit_for_loop().store(record)
    except Exception:
        logger.exception("Click on link %s not stored", record.link_id)


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


def _already_stored(records: list[ClickRecord]) -> set[tuple[int, dt.datetime, str]]:
    """Rows a drain stored before dying without acknowledging them."""
    if not records:
        return set()
    rows = Click.objects.filter(
        link_id__in={r.link_id for r in records},
        at__gte=min(r.at for r in records),
        at__lte=max(r.at for r in records),
        visitor__in={r.visitor for r in records},
    ).values_list("link_id", "at", "visitor")
    return set(rows)


def _batch_store(
    entries: Iterable[tuple[bytes, dict[bytes, bytes] | None]], *, redelivered: bool
) -> int:
    records = []
    for entry_id, fields in entries:
        if not fields:  # deleted from the stream while pending
            continue
        try:
            records.append(ClickRecord.from_fields(fields))
        except (KeyError, ValueError, UnicodeDecodeError):
            logger.warning("Dropping malformed click %s: %r", entry_id, fields)
    if redelivered:
        stored = _already_stored(records)
        records = [r for r in records if (r.link_id, r.at, r.visitor) not in stored]
    # A link deleted since the click was queued takes its clicks with it.
    links = set(
        TrackedLink.objects.filter(id__in={r.link_id for r in records}).values_list(
            "id", flat=True
        )
    )
    rows = [r.to_model() for r in records if r.link_id in links]
    with transaction.atomic():
        Click.objects.bulk_create(rows)
        # Counters, points and milestones; their events go after the commit.
        from .rewards import clicks_recorded

        clicks_recorded(clicks=rows)
    return len(rows)


def clicks_drain(*, batch_size: int = 500, client: redis.Redis | None = None) -> int:
    """Move the clicks waiting in the Redis stream into the database.

    Each batch is inserted in one transaction and only then acknowledged. A
    drain that dies in between reads its unacknowledged entries again next
    time and skips those already stored, so no click is lost or counted twice.
    Returns how many clicks were stored. Stops once a batch comes back short,
    so it ends even while clicks keep arriving.
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
                stored += _batch_store(entries, redelivered=start == "0")
                _acknowledge(client, stream, [entry_id for entry_id, _ in entries])
                if len(entries) < batch_size:
                    break
    finally:
        if own_client:
            client.close()
    return stored
