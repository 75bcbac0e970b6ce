"""The live hub socket.

Each signed-in person listens on their own group, the hub's group (the feed)
and, for managers, their line's group. Every event carries an id; a browser
that reconnects passes the last id it saw (``?last=<id>``) and first receives
what it missed, from the stored events, before anything new.

Sockets have no channel-layer channel of their own: the process's relay
(``advocacy.fanout``) listens on the layer once for all of them and hands each
socket the frames of its groups.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from people.inputs import id_parse

from . import fanout
from .services import (
    HUB_GROUP,
    hub_events_missed,
    manager_group_name,
    person_group_name,
)

logger = logging.getLogger(__name__)

# Not a configured channel layer: Channels then opens no channel for the socket.
NO_CHANNEL_LAYER = "advocacy.hub.no-channel"
# Joining waits this long for the layer (Redis) before the socket is refused.
JOIN_TIMEOUT_SECONDS = 5.0
# "Try again later": the browser reconnects with back-off and asks for what it
# missed, which the stored events give it once the layer is back.
CLOSE_LAYER_LOST = 1013


@database_sync_to_async
def _employee_id(user_id: int) -> int | None:
    from people.models import Employee

    return Employee.objects.filter(user_id=user_id).values_list("pk", flat=True).first()


@database_sync_to_async
def _missed(groups: list[str], after: int) -> list[dict[str, Any]]:
    return [
        {"id": e.pk, "event": e.event, "data": e.data}
        for e in hub_events_missed(groups=groups, after=after)
    ]


def _last_seen(scope) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode()).get("last", [])
    return id_parse(values[0]) if values else None


class HubConsumer(AsyncJsonWebsocketConsumer):
    channel_layer_alias = NO_CHANNEL_LAYER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups_joined: list[str] = []
        self._relay: fanout.Relay | None = None
        # Live frames wait here until the socket is accepted and has replayed.
        self._held: list[str] | None = []

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Also when the server cancels the socket without a disconnect.
            if self._relay is not None:
                self._relay.leave(self)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Closing before accepting refuses the handshake (HTTP 403).
            await self.close()
            return
        self.groups_joined = [person_group_name(user_id=user.pk), HUB_GROUP]
        employee_id = await _employee_id(user.pk)
        if employee_id is not None:
            # Managers hear about their whole line (the group of each person
            # managed is named after the manager); for others it stays quiet.
            self.groups_joined.append(manager_group_name(employee_id=employee_id))
        # Join first, then replay: an event raised in between may arrive twice
        # (the browser drops ids it has seen) but is never lost.
        try:
            self._relay = fanout.relay()
            await asyncio.wait_for(
                self._relay.join(self, self.groups_joined),
                timeout=JOIN_TIMEOUT_SECONDS,
            )
        except Exception as error:  # noqa: BLE001 - the layer is down: refuse
            logger.warning(
                "Hub socket refused: the channel layer does not answer (%s: %s)",
                error.__class__.__name__,
                error,
            )
            if self._relay is not None:
                self._relay.leave(self)
                self._relay = None
            await self.close()
            return
        await self.accept()
        last = _last_seen(self.scope)
        if last is not None:
            for missed in await _missed(self.groups_joined, last):
                await self.send_json(missed)
        while self._held:
            frames, self._held = self._held, []
            for frame in frames:
                await self.send(text_data=frame)
        self._held = None

    async def send_frame(self, frame: str) -> None:
        """From the relay: one event, already encoded."""
        if self._held is not None:
            self._held.append(frame)
        else:
            await self.send(text_data=frame)

    async def layer_lost(self) -> None:
        """From the relay: events may have been missed; reconnecting replays them."""
        await self.close(code=CLOSE_LAYER_LOST)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """The hub only pushes; anything sent to it is ignored, unread."""
