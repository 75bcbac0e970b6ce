"""Real-time publishing for the hub."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def person_group_name(*, user_id: int) -> str:
    return f"person.{user_id}"


def person_event_publish(*, user_id: int, event: str, data: dict[str, Any]) -> None:
    """Send ``event`` to everyone connected as ``user_id``, after commit.

    Publishing after commit means a listener that reacts by reading the
    database sees the change that caused the event.
    """

    def send() -> None:
        layer = get_channel_layer()
        async_to_sync(layer.group_send)(
            person_group_name(user_id=user_id),
            {"type": "advocacy.event", "event": event, "data": data},
        )

    transaction.on_commit(send)
