"""Evaluation progress over WebSocket: relay only (the nameless progress state after each committed change)."""

from __future__ import annotations

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from evaluation.progress import group_name


class ProgressConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.lot_id = int(self.scope["url_route"]["kwargs"]["lot_id"])
        if not await database_sync_to_async(self._allowed)():
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(group_name(self.lot_id), self.channel_name)
        await self.accept()

    def _allowed(self) -> bool:
        from accounts.middleware import actor_for
        from core.errors import DomainError
        from evaluation.services.committees import committee_for

        session = self.scope.get("session")
        actor = actor_for(self.scope.get("user"), None, session.get("acting_organisation_id") if session else None)
        try:
            committee_for(actor=actor, lot_id=self.lot_id)
        except DomainError:
            return False
        return True

    async def dispatch(self, message):
        if message["type"] == "progress.state":  # relayed: no database, no thread hop (see bidding.consumers)
            await getattr(self, get_handler_name(message))(message)
            return
        await super().dispatch(message)

    async def disconnect(self, code):
        if hasattr(self, "lot_id"):
            await self.channel_layer.group_discard(group_name(self.lot_id), self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Nothing is taken over the socket."""

    async def progress_state(self, message):
        await self.send_json(message["state"])
