"""Live ledger feed for regulators and the trading centre: push-only."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from witness.selectors import FEED_GROUP


class LedgerFeedConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        allowed = await database_sync_to_async(self._allowed)()
        if not allowed:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(FEED_GROUP, self.channel_name)
        await self.accept()

    def _allowed(self) -> bool:
        from accounts.middleware import actor_for
        from witness.selectors import may_watch_all

        user = self.scope.get("user")
        acting = self.scope.get("session", {}).get("acting_organisation_id") if self.scope.get("session") else None
        return may_watch_all(actor_for(user, None, acting))

    async def disconnect(self, code):
        await self.channel_layer.group_discard(FEED_GROUP, self.channel_name)

    async def ledger_event(self, message):
        await self.send_json(message["event"])
