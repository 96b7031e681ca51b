"""The opening hall over WebSocket: relay only. Every write goes through the services, which broadcast the
hall's state after they commit; a client gets the current state when it (re)connects."""

from __future__ import annotations

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from bidding.hall import group_name

RELAYED = frozenset({"hall.state"})


class HallConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.lot_id = int(self.scope["url_route"]["kwargs"]["lot_id"])
        state = await database_sync_to_async(self._state_if_allowed)()
        if state is None:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(group_name(self.lot_id), self.channel_name)
        await self.accept()
        await self.send_json(state)

    def _state_if_allowed(self) -> dict | None:
        from accounts.middleware import actor_for
        from bidding.hall import hall_state
        from bidding.services.opening import opening_for
        from core.errors import DomainError

        session = self.scope.get("session")
        acting = session.get("acting_organisation_id") if session else None
        actor = actor_for(self.scope.get("user"), None, acting)
        try:
            return hall_state(opening_for(actor=actor, lot_id=self.lot_id))
        except DomainError:
            return None

    async def dispatch(self, message):
        # A relayed state touches no database: skip Channels' per-message hop to a thread that closes old
        # database connections (channels.consumer.dispatch), which would cost every client a thread switch.
        if message["type"] in RELAYED:
            await getattr(self, get_handler_name(message))(message)
            return
        await super().dispatch(message)

    async def disconnect(self, code):
        if hasattr(self, "lot_id"):
            await self.channel_layer.group_discard(group_name(self.lot_id), self.channel_name)

    async def receive_json(self, content, **kwargs):
        """The hall takes no input over the socket: acts go through the API, where they are checked."""

    async def hall_state(self, message):
        await self.send_json(message["state"])
