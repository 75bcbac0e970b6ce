"""One channel-layer subscription per process for the live hub's sockets.

A channel of its own per socket means a receive loop, a copy of each message and a
JSON encoding per socket: a broadcast to a hub with thousands of open sockets pays
all of that thousands of times. The relay holds a single channel per process (per
event loop), joins each group on the layer once however many local sockets listen
to it, encodes each event once and hands that same text frame to every local
socket of the event's group.

Messages reaching the relay must say which group they were sent to (``"group"``),
as ``advocacy.services.group_event_publish`` does: one channel receives them all.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

EVENT_TYPE = "advocacy.event"
# Layers forget group members after `group_expiry` (a day by default): the relay
# joins its groups again well before that, and after any error reading the layer.
REFRESH_SECONDS = 3600.0
RETRY_FIRST_SECONDS = 0.1
RETRY_MAX_SECONDS = 5.0


class Listener(Protocol):
    async def send_frame(self, frame: str) -> None: ...

    # Optional: ``async def layer_lost(self) -> None``, called when reading the
    # layer fails, since events sent meanwhile may never arrive here. A hub
    # socket closes, and the browser reconnects and replays what it missed.


@dataclass(eq=False)
class _Group:
    listeners: set[Listener] = field(default_factory=set)
    # Serialises joining and leaving this group on the layer.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # True once the layer delivers the group here; False before leaving starts.
    subscribed: bool = False


class Relay:
    """The groups this process listens to, and which local sockets want each.

    It reads the layer only while some socket is joined: the first join opens a
    channel and starts reading, the last leave stops.
    """

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.loop = asyncio.get_running_loop()
        self.channel: str | None = None
        self._groups: dict[str, _Group] = {}
        self._joined: dict[Listener, tuple[str, ...]] = {}
        self._start_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._leaving: set[asyncio.Task[None]] = set()
        self._refresh = asyncio.Event()
        # Reading the layer fails (Redis down): leaving groups would fail too.
        self._failing = False

    async def join(self, listener: Listener, groups: list[str]) -> None:
        """Deliver events of ``groups`` to ``listener`` from now on.

        Returns once the layer routes every one of those groups to this process,
        so an event stored after that cannot be missed.
        """
        if listener in self._joined:
            raise ValueError("this listener has already joined")
        names = tuple(dict.fromkeys(groups))
        self._joined[listener] = names
        for name in names:
            self._groups.setdefault(name, _Group()).listeners.add(listener)
        await asyncio.gather(*(self._subscribe(name) for name in names))

    def leave(self, listener: Listener) -> None:
        """Deliver nothing more to ``listener``; groups nobody here wants are left."""
        for name in self._joined.pop(listener, ()):
            group = self._groups.get(name)
            if group is None:
                continue
            group.listeners.discard(listener)
            if not group.listeners:
                task = asyncio.create_task(self._unsubscribe(name, group))
                self._leaving.add(task)
                task.add_done_callback(self._leaving.discard)

    async def settled(self) -> None:
        """Wait until the layer has been told about every socket that left."""
        while self._leaving:
            await asyncio.wait(set(self._leaving))

    def listens_to(self, group: str) -> bool:
        entry = self._groups.get(group)
        return entry is not None and entry.subscribed

    async def _subscribe(self, name: str) -> None:
        group = self._groups[name]
        # While reading fails, joining asks the layer even for groups joined
        # before: a socket is accepted only if the layer answers.
        if group.subscribed and not self._failing:
            return
        async with group.lock:
            if (group.subscribed and not self._failing) or not group.listeners:
                return
            channel = await self._channel()
            await self.layer.group_add(name, channel)
            group.subscribed = True
            self._answers_again()

    async def _unsubscribe(self, name: str, group: _Group) -> None:
        async with group.lock:
            if group.listeners:
                return
            # While reading fails (Redis down) leaving would fail too; the
            # membership then lapses with the layer's group expiry.
            if group.subscribed and self.channel is not None and not self._failing:
                group.subscribed = False
                try:
                    await self.layer.group_discard(name, self.channel)
                except Exception as error:  # noqa: BLE001 - lapses by itself
                    # Membership then lapses with the layer's group expiry; what
                    # still arrives for the group meanwhile finds nobody here.
                    logger.warning(
                        "Hub relay could not leave group %s (%s)",
                        name,
                        error.__class__.__name__,
                    )
            if not group.listeners and self._groups.get(name) is group:
                del self._groups[name]
        if not self._groups:
            self._stop()

    async def _channel(self) -> str:
        if self.channel is not None:
            return self.channel
        async with self._start_lock:
            if self.channel is None:
                channel = await self.layer.new_channel("hub.")
                self._failing = False
                self._tasks = [
                    asyncio.create_task(self._read(channel)),
                    asyncio.create_task(self._keep(channel)),
                ]
                self.channel = channel
            return self.channel

    def _stop(self) -> None:
        # Synchronous on purpose: a join arriving meanwhile starts afresh.
        for task in self._tasks:
            task.cancel()
        self._tasks = []
        self.channel = None

    async def _read(self, channel: str) -> None:
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                message = await self.layer.receive(channel)
            except Exception:
                if not self._failing:
                    # Once per outage: it is retried every few seconds.
                    logger.exception(
                        "Hub relay could not read the channel layer; retrying"
                    )
                    self._failing = True
                    await self._lost()
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                # The layer may have lost its groups (a Redis restart, say).
                self._refresh.set()
                continue
            self._answers_again()
            delay = RETRY_FIRST_SECONDS
            await self.deliver(message)

    async def _lost(self) -> None:
        for listener in list(self._joined):
            lost = getattr(listener, "layer_lost", None)
            if lost is None:
                continue
            try:
                await lost()
            except Exception:  # noqa: BLE001 - a socket already gone
                logger.debug("Hub socket was gone before it could be closed")

    async def deliver(self, message: dict[str, Any]) -> None:
        """Send one layer message to every local socket of its group."""
        try:
            if message.get("type") != EVENT_TYPE:
                return
            group = self._groups.get(message["group"])
            frame = json.dumps(
                {
                    "id": message.get("id"),
                    "event": message["event"],
                    "data": message.get("data", {}),
                }
            )
        except (KeyError, TypeError, ValueError):
            logger.warning("Hub relay dropped a message it cannot route: %r", message)
            return
        if group is None:
            return
        for listener in list(group.listeners):
            if listener not in group.listeners:
                continue  # left while earlier sockets were being served
            try:
                await listener.send_frame(frame)
            except Exception:
                logger.exception("Hub relay could not send to one socket")

    async def _keep(self, channel: str) -> None:
        every = min(REFRESH_SECONDS, getattr(self.layer, "group_expiry", 86400) / 4)
        while True:
            try:
                await asyncio.wait_for(self._refresh.wait(), timeout=every)
            except TimeoutError:
                pass
            self._refresh.clear()
            if not await self._renew(channel):
                self._refresh.set()
                await asyncio.sleep(RETRY_MAX_SECONDS)

    async def _renew(self, channel: str) -> bool:
        renewed = False
        for name, group in list(self._groups.items()):
            async with group.lock:
                if not group.subscribed:
                    continue
                try:
                    await self.layer.group_add(name, channel)
                except Exception:
                    if not self._failing:
                        logger.exception("Hub relay could not renew group %s", name)
                    return False
                renewed = True
        if renewed:
            self._answers_again()
        return True

    def _answers_again(self) -> None:
        if self._failing:
            self._failing = False
            logger.warning("Hub relay reaches the channel layer again")


_current: Relay | None = None


def relay() -> Relay:
    """This event loop's relay on the default channel layer."""
    global _current
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("the live hub needs a default channel layer")
    loop = asyncio.get_running_loop()
    if _current is None or _current.loop is not loop or _current.layer is not layer:
        _current = Relay(layer)
    return _current
