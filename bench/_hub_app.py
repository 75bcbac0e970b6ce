"""The site's ASGI app and a baseline socket for ``bench/hub.py``, in one process.

- ``/ws/hub/``: the site itself (``config.asgi.application``), what is measured.
- ``/ws/bare/``: a plain Channels consumer with a channel-layer channel of its own
  that joins one group (``BARE_GROUP``) and forwards each ``group_send`` message
  as JSON: the usual way to push to sockets with Channels, the baseline. It goes
  through the same origin check and session sign-in as the hub.

Serve with ``DJANGO_SETTINGS_MODULE=bench._hub_settings``.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench._hub_settings")

from config.asgi import application as site  # noqa: E402 - sets Django up

# isort: split
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

BARE_PATH = "/ws/bare/"
BARE_GROUP = "bench.bare"


class BareConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add(BARE_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(BARE_GROUP, self.channel_name)

    async def advocacy_event(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "id": event.get("id"),
                "event": event["event"],
                "data": event.get("data", {}),
            }
        )


bare = AllowedHostsOriginValidator(AuthMiddlewareStack(BareConsumer.as_asgi()))


async def application(scope, receive, send) -> None:
    if scope["type"] == "websocket" and scope["path"] == BARE_PATH:
        await bare(scope, receive, send)
    else:
        await site(scope, receive, send)
