"""The live hub socket. Each signed-in person listens on their own group."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .services import manager_group_name, person_group_name


@database_sync_to_async
def _employee_id(user_id: int) -> int | None:
    from people.models import Employee

    return Employee.objects.filter(user_id=user_id).values_list("pk", flat=True).first()


class HubConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Closing before accepting refuses the handshake (HTTP 403).
            await self.close()
            return
        self.groups_joined = [person_group_name(user_id=user.pk)]
        employee_id = await _employee_id(user.pk)
        if employee_id is not None:
            # Managers hear about their whole line (the group of each person
            # managed is named after the manager); for others it stays quiet.
            self.groups_joined.append(manager_group_name(employee_id=employee_id))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The hub only pushes for now; anything sent to it is ignored."""

    async def advocacy_event(self, event: dict[str, Any]) -> None:
        await self.send_json({"event": event["event"], "data": event.get("data", {})})
