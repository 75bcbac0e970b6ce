"""The hub socket without Redis: refused or closed cleanly, and nothing is lost."""

from __future__ import annotations

import shutil

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from advocacy.models import HubEvent
from advocacy.services import person_event_publish
from config.asgi import application
from tests.config.test_redis_down import redis_down, settings_for_redis  # noqa: F401
from tests.faults.services import REDIS_SERVER, PrivateRedis

from .test_hub_socket import ORIGIN, _signed_in_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _socket(cookie: bytes, path: str = "/ws/hub/") -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, path, headers=[ORIGIN, (b"cookie", cookie)]
    )


async def test_the_hub_socket_is_refused_cleanly_when_redis_is_down(redis_down):  # noqa: F811
    _user_id, cookie = await _signed_in_cookie()
    socket = _socket(cookie)
    connected, _code = await socket.connect(timeout=10)
    assert not connected
    await socket.disconnect()


@pytest.mark.skipif(shutil.which(REDIS_SERVER) is None, reason="needs redis-server")
async def test_sockets_close_when_redis_goes_and_replay_what_they_missed(
    settings, monkeypatch
):
    server = await sync_to_async(PrivateRedis().start)()
    try:
        for name, value in settings_for_redis(server.url(), monkeypatch).items():
            setattr(settings, name, value)
        user_id, cookie = await _signed_in_cookie()
        socket = _socket(cookie)
        assert (await socket.connect(timeout=10))[0]

        await sync_to_async(server.stop)()
        closed = await socket.receive_output(timeout=10)
        assert closed == {"type": "websocket.close", "code": 1013}
        # Meanwhile the person gets a notification: stored, not sent.
        await sync_to_async(person_event_publish)(
            user_id=user_id, event="notification", data={"n": 1}
        )
        missed = await sync_to_async(HubEvent.objects.get)(event="notification")
        again = _socket(cookie, f"/ws/hub/?last={missed.pk - 1}")
        assert not (await again.connect(timeout=10))[0]  # still down: refused
        await again.disconnect()

        await sync_to_async(server.start)()
        again = _socket(cookie, f"/ws/hub/?last={missed.pk - 1}")
        assert (await again.connect(timeout=10))[0]
        replayed = await again.receive_json_from(timeout=10)
        assert replayed == {"id": missed.pk, "event": "notification", "data": {"n": 1}}
        await again.disconnect()
    finally:
        await sync_to_async(server.close)()
