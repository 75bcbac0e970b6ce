"""Tracked-link clicks when Redis or the database fails: stored once, or a 503.

In-process, through ``config.asgi.application`` as in ``test_redirect``. The
database is made unreachable by pointing new connections at nothing (a closed
port, a missing folder), as a restart would; Redis by a closed port, or by a
proxy that hands Redis every command at once but holds its answers back, as a
stalled Redis does. ``tests/faults`` does the same to real servers.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from asgiref.sync import sync_to_async
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from advocacy import redirect
from advocacy.models import Click, Network, TrackedLink
from tests.factories import EmployeeFactory

from .test_redirect import _rewards, fetch, stream_entries

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_unreachable() -> Iterator[None]:
    """New database connections fail until the block ends, as in a restart.

    Every thread's connection is made from the one settings dictionary; the
    click code opens a fresh connection for each batch.
    """
    params = connection.settings_dict
    saved = dict(params)
    if connection.vendor == "postgresql":
        params.update(HOST="127.0.0.1", PORT=str(closed_port()))
    else:
        params["NAME"] = f"/nonexistent-{uuid.uuid4().hex}/db.sqlite3"
    try:
        yield
    finally:
        params.clear()
        params.update(saved)


class StalledRedis:
    """A proxy to Redis that passes commands on at once; its answers, ``delay`` late.

    With a delay, this is what a Redis that stalls looks like to a client
    already connected: what it was sent is applied, the answer comes after
    the client gave up.
    """

    def __init__(self, url: str) -> None:
        self.upstream = urlsplit(url)
        self.delay = 0.0
        self.tasks: set[asyncio.Task] = set()

    async def _pipe(self, source, target, answers: bool) -> None:
        try:
            while data := await source.read(65536):
                if answers and self.delay:
                    await asyncio.sleep(self.delay)
                target.write(data)
                await target.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            target.close()

    async def _serve(self, reader, writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(
            self.upstream.hostname, self.upstream.port or 6379
        )
        for pipe in (
            self._pipe(reader, upstream_writer, answers=False),
            self._pipe(upstream_reader, writer, answers=True),
        ):
            task = asyncio.ensure_future(pipe)
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[str]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            yield urlunsplit(self.upstream._replace(netloc=f"127.0.0.1:{port}"))
        finally:
            server.close()
            for task in list(self.tasks):
                task.cancel()


@pytest.fixture(autouse=True)
def _own_stream_and_spool(settings, tmp_path) -> Iterator[Path]:
    settings.ADVOCACY_CLICK_STREAM = f"cimientos-test-clicks-{uuid.uuid4().hex[:12]}"
    settings.ADVOCACY_CLICK_SPOOL_DIR = tmp_path / "spool"
    real_redis = settings.REDIS_URL
    redirect.link_cache_clear()
    yield tmp_path / "spool"
    redirect.link_cache_clear()
    if real_redis:
        client = redis.Redis.from_url(real_redis)
        client.delete(settings.ADVOCACY_CLICK_STREAM)
        client.close()


@pytest.fixture
def spool(_own_stream_and_spool) -> Path:
    return _own_stream_and_spool


@pytest.fixture
def link(transactional_db) -> TrackedLink:
    from advocacy.models import BrandPost

    post = BrandPost.objects.create(
        title="Abrimos en Cádiz", url="https://brisa.example/cadiz", live=True
    )
    return TrackedLink.objects.create(
        employee=EmployeeFactory(), post=post, network=Network.LINKEDIN
    )


@pytest.fixture(params=["no Redis", "Redis unreachable"])
def without_redis(request, settings) -> str:
    """``make run`` (no ``REDIS_URL``), or production with Redis down."""
    if request.param == "no Redis":
        settings.REDIS_URL = ""
    else:
        settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    return request.param


@sync_to_async
def clicks_of(link: TrackedLink) -> list[Click]:
    return list(Click.objects.filter(link=link).order_by("id"))


async def eventually(check, wanted=bool, *, seconds: float = 20.0):
    """``await check()`` once ``wanted(value)``, or at the end of ``seconds``.

    Clicks stored without Redis are rewarded, and spooled ones stored, by a
    background round a second or more later.
    """
    for _ in range(int(seconds / 0.1)):
        value = await check()
        if wanted(value):
            return value
        await asyncio.sleep(0.1)
    return await check()


def spooled(spool: Path) -> list[str]:
    return [
        line
        for path in sorted(spool.glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


async def test_a_click_redis_answers_too_late_for_is_stored_once_and_rewarded_once(
    link, settings
):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    real_redis = settings.REDIS_URL
    proxy = StalledRedis(real_redis)
    async with proxy.serving() as proxied:
        settings.REDIS_URL = proxied
        before = await fetch(f"/s/{link.code}", ip="198.51.100.1")
        proxy.delay = 3.0
        during = await fetch(f"/s/{link.code}", ip="198.51.100.2")
    settings.REDIS_URL = real_redis

    assert (before.status, during.status) == (302, 302)
    # Redis holds both clicks: it applied the command it answered too late.
    assert len(stream_entries()) == 2
    await sync_to_async(call_command)(
        "advocacy_drain_clicks", "--once", stdout=io.StringIO()
    )

    stored = await clicks_of(link)
    assert len(stored) == 2
    assert len({c.visitor for c in stored}) == 2
    assert await eventually(lambda: _rewards(link), lambda r: r[0] >= 2) == (2, [1])
    await asyncio.sleep(1.5)  # and nothing more comes
    assert await _rewards(link) == (2, [1])


async def test_with_the_database_down_a_click_is_spooled_then_stored_and_rewarded(
    link, spool, without_redis
):
    warm = await fetch(f"/s/{link.code}", ip="198.51.100.1")
    assert warm.status == 302
    assert len(await clicks_of(link)) == 1

    with database_unreachable():
        answers = [
            await fetch(f"/s/{link.code}", ip=f"198.51.100.{n}") for n in (2, 3, 4)
        ]
        assert [a.status for a in answers] == [302] * 3
        assert [a.location for a in answers] == [warm.location] * 3
        # On disk before the visitor was sent on.
        assert len(spooled(spool)) == 3

    async def all_stored():
        stored = await clicks_of(link)
        return stored if len(stored) == 4 and not spooled(spool) else None

    stored = await eventually(all_stored)
    assert stored, await clicks_of(link)
    assert len({c.visitor for c in stored}) == 4
    assert await eventually(lambda: _rewards(link), lambda r: r[0] >= 4) == (4, [1])
    await asyncio.sleep(1.5)  # and nothing more comes
    assert await _rewards(link) == (4, [1])


async def test_with_nowhere_to_store_a_click_the_visitor_is_asked_to_retry(
    link, settings, tmp_path, without_redis
):
    warm = await fetch(f"/s/{link.code}")
    assert warm.status == 302
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.ADVOCACY_CLICK_SPOOL_DIR = blocked / "spool"

    with database_unreachable():
        answer = await fetch(f"/s/{link.code}", ip="198.51.100.9")

    assert answer.status == 503
    assert answer.headers["retry-after"] == str(redirect.RETRY_AFTER_SECONDS)
    assert "location" not in answer.headers
    with translation.override(settings.LANGUAGE_CODE):
        assert answer.body.decode().strip() == str(redirect.UNAVAILABLE)
    await asyncio.sleep(1.5)
    assert len(await clicks_of(link)) == 1


async def test_a_link_never_seen_while_the_database_is_down_answers_503(
    link, without_redis
):
    with database_unreachable():
        answer = await fetch(f"/s/{link.code}")

    assert answer.status == 503
    assert "location" not in answer.headers
    assert (await fetch(f"/s/{link.code}")).status == 302


async def test_the_drain_stores_spooled_clicks_once_even_from_a_file_read_twice(
    link, spool, settings
):
    settings.REDIS_URL = ""
    await fetch(f"/s/{link.code}", ip="198.51.100.1")
    with database_unreachable():
        for n in (2, 3, 4):
            assert (await fetch(f"/s/{link.code}", ip=f"198.51.100.{n}")).status == 302
        # As if a replay had stored these clicks, then died before deleting
        # the file: it is read again.
        [written] = spool.glob("*.jsonl")
        shutil.copy(written, spool / "clicks-replayed-before.jsonl")

    out = io.StringIO()
    await sync_to_async(call_command)("advocacy_drain_clicks", "--once", stdout=out)

    stored = await clicks_of(link)
    assert len(stored) == 4
    assert len({c.uid for c in stored}) == 4
    assert spooled(spool) == []
    assert await eventually(lambda: _rewards(link), lambda r: r[0] >= 4) == (4, [1])
