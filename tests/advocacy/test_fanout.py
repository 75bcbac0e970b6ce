"""The relay: one channel-layer subscription per process for every hub socket."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator

from advocacy import consumers, fanout
from advocacy.services import (
    HUB_GROUP,
    group_event_publish,
    person_event_publish,
    person_group_name,
)
from config.asgi import application

from .test_hub_socket import ORIGIN, _signed_in_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }


async def _hub_socket(cookie: bytes, path: str = "/ws/hub/") -> WebsocketCommunicator:
    socket = WebsocketCommunicator(
        application, path, headers=[ORIGIN, (b"cookie", cookie)]
    )
    assert (await socket.connect())[0]
    return socket


class Recorder:
    def __init__(self) -> None:
        self.frames: list[str] = []
        self.arrived = asyncio.Event()

    async def send_frame(self, frame: str) -> None:
        self.frames.append(frame)
        self.arrived.set()


class Broken:
    async def send_frame(self, frame: str) -> None:
        raise ConnectionResetError("gone")


def _event(group: str, n: int) -> dict:
    return {
        "type": "advocacy.event",
        "group": group,
        "id": n,
        "event": "test.n",
        "data": {"n": n},
    }


async def test_each_person_gets_their_own_events_and_everyone_the_feed():
    people = [await _signed_in_cookie() for _ in range(4)]
    sockets = {user_id: await _hub_socket(cookie) for user_id, cookie in people}
    layer = get_channel_layer()
    relay = fanout.relay()
    # One channel for the whole process, whatever the number of sockets.
    assert set(layer.groups[HUB_GROUP]) == {relay.channel}
    for user_id in sockets:
        assert set(layer.groups[person_group_name(user_id=user_id)]) == {relay.channel}

    for user_id in sockets:
        await sync_to_async(person_event_publish)(
            user_id=user_id, event="test.mine", data={"for": user_id}
        )
    await sync_to_async(group_event_publish)(
        groups=[HUB_GROUP], event="test.feed", data={}
    )
    for user_id, socket in sockets.items():
        mine = await socket.receive_json_from(timeout=5)
        assert mine["event"] == "test.mine" and mine["data"] == {"for": user_id}
        feed = await socket.receive_json_from(timeout=5)
        assert feed["event"] == "test.feed"
        assert await socket.receive_nothing(timeout=0.2)
    for socket in sockets.values():
        await socket.disconnect()


async def test_the_last_socket_of_a_group_leaving_leaves_it_on_the_layer():
    (alba, alba_cookie), (lee, lee_cookie) = [await _signed_in_cookie() for _ in "ab"]
    first = await _hub_socket(alba_cookie)
    second = await _hub_socket(lee_cookie)
    layer = get_channel_layer()
    relay = fanout.relay()

    await first.disconnect()
    await relay.settled()
    assert person_group_name(user_id=alba) not in layer.groups
    assert not relay.listens_to(person_group_name(user_id=alba))
    assert set(layer.groups[HUB_GROUP]) == {relay.channel}
    await sync_to_async(group_event_publish)(
        groups=[HUB_GROUP], event="test.feed", data={}
    )
    assert (await second.receive_json_from(timeout=5))["event"] == "test.feed"

    await second.disconnect()
    await relay.settled()
    assert HUB_GROUP not in layer.groups
    assert person_group_name(user_id=lee) not in layer.groups
    assert relay.channel is None  # nobody left here: it stops reading


async def test_a_socket_that_fails_does_not_stop_the_others():
    relay = fanout.Relay(InMemoryChannelLayer())
    before, broken, after = Recorder(), Broken(), Recorder()
    for listener in (before, broken, after):
        await relay.join(listener, ["g"])
    await relay.layer.group_send("g", _event("g", 1))
    await asyncio.wait_for(after.arrived.wait(), timeout=5)
    assert (
        before.frames
        == after.frames
        == ['{"id": 1, "event": "test.n", "data": {"n": 1}}']
    )
    # Encoded once, the same text for every socket.
    assert before.frames[0] is after.frames[0]
    for listener in (before, broken, after):
        relay.leave(listener)
    await relay.settled()


async def test_reading_goes_on_after_the_layer_fails(monkeypatch):
    monkeypatch.setattr(fanout, "RETRY_FIRST_SECONDS", 0.01)

    class Flaky(InMemoryChannelLayer):
        failures = 2

        async def receive(self, channel):
            if self.failures:
                self.failures -= 1
                raise ConnectionError("the layer went away")
            return await super().receive(channel)

    relay = fanout.Relay(Flaky())
    listener = Recorder()
    await relay.join(listener, ["g"])
    await relay.layer.group_send("g", _event("g", 5))
    await asyncio.wait_for(listener.arrived.wait(), timeout=5)
    assert relay.layer.failures == 0
    assert '"n": 5' in listener.frames[0]
    relay.leave(listener)
    await relay.settled()


async def test_groups_are_joined_again_before_the_layer_forgets_them():
    # This layer forgets members after two seconds; the relay renews every half.
    relay = fanout.Relay(InMemoryChannelLayer(group_expiry=2))
    listener = Recorder()
    await relay.join(listener, ["g"])
    await asyncio.sleep(3.2)
    await relay.layer.group_send("g", _event("g", 9))
    await asyncio.wait_for(listener.arrived.wait(), timeout=5)
    relay.leave(listener)
    await relay.settled()


async def test_events_raised_while_replaying_follow_the_replay(monkeypatch):
    user_id, cookie = await _signed_in_cookie()
    stored = [{"id": 1, "event": "test.old", "data": {}}]

    async def replay_while_an_event_arrives(groups, after):
        await get_channel_layer().group_send(
            HUB_GROUP, _event(HUB_GROUP, 2) | {"event": "test.new"}
        )
        await asyncio.sleep(0.2)  # the relay hands the socket the new event now
        return stored

    monkeypatch.setattr(consumers, "_missed", replay_while_an_event_arrives)
    socket = await _hub_socket(cookie, "/ws/hub/?last=0")
    received = [await socket.receive_json_from(timeout=5) for _ in range(2)]
    assert [m["event"] for m in received] == ["test.old", "test.new"]
    await socket.disconnect()
