"""Hub events reach sockets held by every server process, once each.

Two daphne processes serve the site on PostgreSQL and Redis, as several workers
would in production; events published from this process must reach the sockets
of both. Needs ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``; skipped otherwise.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.test import Client

from advocacy.services import HUB_GROUP, group_event_publish, person_event_publish
from tests.factories import EmployeeFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL", "").startswith("redis://")
        or not os.environ.get("DATABASE_URL", "").startswith(
            ("postgres://", "postgresql://")
        ),
        reason="needs REDIS_URL (Redis) and DATABASE_URL (PostgreSQL)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
EVENTS = 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _healthy(port: int) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def servers(transactional_db, tmp_path):
    """Two daphne processes on this test's database; stopped before it goes."""
    db = connection.settings_dict
    login = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{login}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "PYTHONUNBUFFERED": "1",
    }
    daphne = Path(sys.executable).parent / "daphne"
    started = []
    try:
        for n in range(2):
            port = _free_port()
            log = (tmp_path / f"daphne-{n}.log").open("wb")
            process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
                [str(daphne), "-b", HOST, "-p", str(port), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
            started.append((port, process))
        deadline = time.monotonic() + 60
        for port, process in started:
            while not _healthy(port):
                assert process.poll() is None, (tmp_path / "daphne-0.log").read_text()
                assert time.monotonic() < deadline, "daphne never became healthy"
                time.sleep(0.2)
        yield [port for port, _process in started]
    finally:
        for _port, process in started:
            _stop(process)


class HubSocket:
    """Just enough of a WebSocket client to read the hub's text frames."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int, cookie: str) -> HubSocket:
        reader, writer = await asyncio.open_connection(HOST, port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /ws/hub/ HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: http://{HOST}:{port}\r\nCookie: {cookie}\r\n\r\n"
            ).encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    async def receive(self) -> dict:
        while True:
            first, second = await self.reader.readexactly(2)
            length = second & 0x7F
            if length == 126:
                length = int.from_bytes(await self.reader.readexactly(2), "big")
            elif length == 127:
                length = int.from_bytes(await self.reader.readexactly(8), "big")
            payload = await self.reader.readexactly(length)  # servers do not mask
            opcode = first & 0x0F
            if opcode == 0x1:
                return json.loads(payload)
            if opcode == 0x8:
                raise ConnectionError("the server closed the socket")

    async def close(self) -> None:
        self.writer.write(bytes([0x88, 0x80]) + os.urandom(4))  # masked, empty
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except OSError:
            pass


@sync_to_async
def _person() -> tuple[int, str]:
    employee = EmployeeFactory()
    client = Client()
    client.force_login(employee.user)
    name = settings.SESSION_COOKIE_NAME
    return employee.user.pk, f"{name}={client.cookies[name].value}"


async def _read_run(hub: HubSocket, run: str, wanted: int) -> list[dict]:
    """This run's events, in arrival order, until ``wanted`` distinct ones came."""
    events: list[dict] = []
    while len({e["id"] for e in events}) < wanted:
        message = await asyncio.wait_for(hub.receive(), timeout=20)
        if message["data"].get("run") == run:
            events.append(message)
    return events


async def test_events_reach_sockets_on_every_server_process_once(servers):
    first, second = servers
    (alba, alba_cookie), (lee, lee_cookie) = [await _person() for _ in "ab"]
    sockets = {
        "alba on 1": await HubSocket.open(first, alba_cookie),
        "alba on 2": await HubSocket.open(second, alba_cookie),
        "lee on 2": await HubSocket.open(second, lee_cookie),
    }
    run = uuid.uuid4().hex
    try:
        await sync_to_async(person_event_publish)(
            user_id=alba, event="test.mine", data={"run": run, "n": -1}
        )
        for n in range(EVENTS):
            await sync_to_async(group_event_publish)(
                groups=[HUB_GROUP], event="test.feed", data={"run": run, "n": n}
            )
        got = {
            name: await _read_run(hub, run, EVENTS + (name != "lee on 2"))
            for name, hub in sockets.items()
        }
    finally:
        for hub in sockets.values():
            await hub.close()

    for name, events in got.items():
        ids = [e["id"] for e in events]
        assert ids == sorted(set(ids)), f"{name}: out of order or repeated"
        feed = [e["data"]["n"] for e in events if e["event"] == "test.feed"]
        assert feed == list(range(EVENTS)), name
        mine = [e for e in events if e["event"] == "test.mine"]
        assert len(mine) == (0 if name == "lee on 2" else 1), name
