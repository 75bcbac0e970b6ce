from __future__ import annotations

import os
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from advocacy.services import HUB_GROUP, group_event_publish, person_event_publish
from config.asgi import application
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")

REDIS = {
    "hosts": [os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/2"],
    # A prefix per test run keeps parallel runs apart on a shared Redis.
    "prefix": f"cimientos-test-{uuid.uuid4().hex[:8]}",
}
LAYERS = {
    "in_memory": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
    "redis": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": REDIS},
    "redis_pubsub": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": REDIS,
    },
}


@pytest.fixture(params=sorted(LAYERS))
def layer(request, settings):
    settings.CHANNEL_LAYERS = {"default": LAYERS[request.param]}
    return request.param


@sync_to_async
def _signed_in_cookie() -> tuple[int, bytes]:
    employee = EmployeeFactory()
    client = Client()
    client.force_login(employee.user)
    name = settings.SESSION_COOKIE_NAME
    cookie = f"{name}={client.cookies[name].value}"
    return employee.user.pk, cookie.encode()


async def test_anonymous_connection_is_refused(layer):
    communicator = WebsocketCommunicator(application, "/ws/hub/", headers=[ORIGIN])
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def test_connection_from_another_origin_is_refused(layer):
    _user_id, cookie = await _signed_in_cookie()
    communicator = WebsocketCommunicator(
        application,
        "/ws/hub/",
        headers=[(b"origin", b"http://evil.example"), (b"cookie", cookie)],
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def test_signed_in_person_receives_events_sent_to_their_group(layer):
    user_id, cookie = await _signed_in_cookie()
    communicator = WebsocketCommunicator(
        application, "/ws/hub/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect()
    assert connected

    other = WebsocketCommunicator(application, "/ws/hub/", headers=[ORIGIN])
    assert not (await other.connect())[0]

    await sync_to_async(person_event_publish)(
        user_id=user_id, event="advocacy.welcome", data={"text": "Hola"}
    )
    message = await communicator.receive_json_from(timeout=5)
    assert isinstance(message.pop("id"), int)
    assert message == {"event": "advocacy.welcome", "data": {"text": "Hola"}}
    await communicator.disconnect()


async def test_events_for_someone_else_are_not_delivered(layer):
    user_id, cookie = await _signed_in_cookie()
    communicator = WebsocketCommunicator(
        application, "/ws/hub/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    assert (await communicator.connect())[0]
    await sync_to_async(person_event_publish)(
        user_id=user_id + 1000, event="advocacy.welcome", data={}
    )
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_a_reconnecting_browser_gets_exactly_what_it_missed(layer):
    user_id, cookie = await _signed_in_cookie()
    headers = [ORIGIN, (b"cookie", cookie)]
    first = WebsocketCommunicator(application, "/ws/hub/", headers=headers)
    assert (await first.connect())[0]
    publish = sync_to_async(person_event_publish)
    await publish(user_id=user_id, event="advocacy.n", data={"n": 1})
    seen = await first.receive_json_from(timeout=5)
    await first.disconnect()

    # Missed while away: two for this person, one for someone else.
    await publish(user_id=user_id, event="advocacy.n", data={"n": 2})
    await publish(user_id=user_id + 1000, event="advocacy.n", data={"n": 99})
    await publish(user_id=user_id, event="advocacy.n", data={"n": 3})

    again = WebsocketCommunicator(
        application, f"/ws/hub/?last={seen['id']}", headers=headers
    )
    assert (await again.connect())[0]
    replayed = [await again.receive_json_from(timeout=5) for _ in range(2)]
    assert [m["data"]["n"] for m in replayed] == [2, 3]
    assert replayed[0]["id"] < replayed[1]["id"]
    assert await again.receive_nothing(timeout=0.3)
    await publish(user_id=user_id, event="advocacy.n", data={"n": 4})
    live = await again.receive_json_from(timeout=5)
    assert live["data"] == {"n": 4} and live["id"] > replayed[1]["id"]
    await again.disconnect()


async def test_one_broadcast_reaches_every_open_socket_once(layer):
    people = [await _signed_in_cookie() for _ in range(3)]
    sockets = []
    for _user_id, cookie in people + people[:1]:  # the first person twice
        socket = WebsocketCommunicator(
            application, "/ws/hub/", headers=[ORIGIN, (b"cookie", cookie)]
        )
        assert (await socket.connect())[0]
        sockets.append(socket)
    await sync_to_async(group_event_publish)(
        groups=[HUB_GROUP], event="post.published", data={"post": 7}
    )
    for socket in sockets:
        message = await socket.receive_json_from(timeout=5)
        assert message["event"] == "post.published" and message["data"] == {"post": 7}
        assert await socket.receive_nothing(timeout=0.2)
    for socket in sockets:
        await socket.disconnect()
