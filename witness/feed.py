"""The live ledger feed: tell watching regulators about committed events, without slowing the writer.

With Redis (production, CI) a per-process daemon thread owns one event loop and relays queued events
to the channel layer, so the writer only puts a dict on a queue. With the in-memory layer (development)
listeners can only live in this process's ASGI event loop, so the event is sent there when the writer
runs in one of that loop's worker threads, and dropped otherwise (nobody could be listening)."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading

from asgiref.sync import AsyncToSync, SyncToAsync
from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)
FEED_GROUP = "ledger-feed"


class _Relay(threading.Thread):
    def __init__(self, layer) -> None:
        super().__init__(name="ledger-feed-relay", daemon=True)
        self.layer = layer
        self.queue: queue.Queue = queue.Queue(maxsize=10000)

    def run(self) -> None:
        loop = asyncio.new_event_loop()
        while True:
            batch = [self.queue.get()]
            while len(batch) < 200:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                loop.run_until_complete(self._send(batch))
            except Exception:
                logger.warning("ledger feed relay failed", exc_info=True)

    async def _send(self, batch: list[tuple[str, dict]]) -> None:
        for group, message in batch:
            await self.layer.group_send(group, message)


_relay: _Relay | None = None
_relay_lock = threading.Lock()


def _get_relay(layer) -> _Relay:
    global _relay
    with _relay_lock:
        # One relay per process and layer class: concurrent first requests may each see a fresh layer
        # object, and a relay per object would leave idle threads behind.
        if _relay is None or not _relay.is_alive() or type(_relay.layer) is not type(layer):
            _relay = _Relay(layer)
            _relay.start()
        return _relay


def publish(summary: dict) -> None:
    publish_group(FEED_GROUP, {"type": "ledger.event", "event": summary}, label=summary.get("seq"))


def publish_group(group: str, message: dict, *, label=None) -> None:
    """Send `message` to a channel-layer group without waiting (the opening hall uses it too)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if isinstance(layer, InMemoryChannelLayer):
            if getattr(SyncToAsync.threadlocal, "main_event_loop", None) is not None:
                AsyncToSync(layer.group_send)(group, message)
            return
        _get_relay(layer).queue.put_nowait((group, message))
    except queue.Full:
        logger.warning("live feed queue full; %s %s not relayed", group, label)
    except Exception:  # a live feed must never break the act it reports
        logger.warning("ledger feed publish failed", exc_info=True)
