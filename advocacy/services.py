"""Real-time publishing for the hub."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def person_group_name(*, user_id: int) -> str:
    return f"person.{user_id}"


def manager_group_name(*, employee_id: int) -> str:
    """Everyone managing ``employee_id`` listens here for their line's events."""
    return f"line.{employee_id}"


def group_event_publish(*, groups: list[str], event: str, data: dict[str, Any]) -> None:
    """Send ``event`` to everyone listening on ``groups``, after commit.

    Publishing after commit means a listener that reacts by reading the
    database sees the change that caused the event.
    """
    if not groups:
        return

    def send() -> None:
        layer = get_channel_layer()
        for group in groups:
            async_to_sync(layer.group_send)(
                group, {"type": "advocacy.event", "event": event, "data": data}
            )

    transaction.on_commit(send)


def person_event_publish(*, user_id: int, event: str, data: dict[str, Any]) -> None:
    """Send ``event`` to everyone connected as ``user_id``, after commit."""
    group_event_publish(
        groups=[person_group_name(user_id=user_id)], event=event, data=data
    )
