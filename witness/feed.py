"""The live ledger feed: tell watching regulators about committed events, without slowing the writer.

With Redis (production, CI) a per-process daemon thread owns one event loop and relays queued events
to the channel layer, so the writer only puts a dict on a queue. With the in-memory layer (development)
listeners can only live in this process's ASGI event loop, so the event is sent there when the writer
runs in one of that loop's worker threads, and dropped otherwise (nobody could be listening).

Live pages that show a whole state (the opening hall, the evaluation progress) publish through
`publish_latest`: the state is built after the commit that changed it, at most once per key every
LIVE_STATE_INTERVAL_MS, and always once after the last change, so 500 key releases in a few seconds cost a
few dozen rebuilds of the hall's state instead of 500 (bench/key_release.py)."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable

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


class _Coalescer(threading.Thread):
    """Runs the latest `build` submitted for each key, at most once per `interval` seconds per key.

    A build submitted while the previous one for its key runs, or within `interval` of its start, waits for
    the interval to pass and replaces any build still waiting for that key: the last submission always runs,
    and runs after it was submitted, so a build that reads the database after its caller's commit never
    misses a change. The thread closes its database connections whenever it has nothing left to do."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="live-state-coalescer", daemon=True)
        self.interval = interval
        self.cond = threading.Condition()
        self.pending: dict[str, Callable[[], None]] = {}
        self.started: dict[str, float] = {}  # key -> monotonic start of its last build
        self.running = False

    def submit(self, key: str, build: Callable[[], None]) -> None:
        with self.cond:
            self.pending[key] = build
            self.cond.notify_all()

    def settle(self, timeout: float) -> bool:
        """Wait until every submitted build has run; False if `timeout` seconds pass first."""
        end = time.monotonic() + timeout
        with self.cond:
            while self.pending or self.running:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True

    def _due(self) -> list[tuple[str, Callable[[], None]]]:
        with self.cond:
            while True:
                now = time.monotonic()
                ready = [k for k in self.pending if now - self.started.get(k, float("-inf")) >= self.interval]
                if ready:
                    for key in ready:
                        self.started[key] = now
                    self.running = True
                    return [(key, self.pending.pop(key)) for key in ready]
                if self.pending:
                    self.cond.wait(min(self.started[k] for k in self.pending) + self.interval - now)
                else:
                    self.started = {k: t for k, t in self.started.items() if now - t < self.interval}
                    self.cond.wait()

    def run(self) -> None:
        from django.db import connections

        while True:
            for key, build in self._due():
                try:
                    build()
                except Exception:  # a live page must never stop the others
                    logger.warning("live state %s not published", key, exc_info=True)
            with self.cond:
                self.running = False
                idle = not self.pending
                self.cond.notify_all()
            if idle:
                connections.close_all()


_coalescer: _Coalescer | None = None


def _get_coalescer() -> _Coalescer:
    global _coalescer
    from django.conf import settings

    with _relay_lock:
        if _coalescer is None or not _coalescer.is_alive():
            _coalescer = _Coalescer(settings.LIVE_STATE_INTERVAL_MS / 1000)
            _coalescer.start()
        return _coalescer


def publish_latest(key: str, build: Callable[[], None]) -> None:
    """Call after a commit that changed the state `build` publishes (build reads it and calls publish_group).

    With a Redis layer `build` runs in this process's coalescing thread (see _Coalescer); with the in-memory
    layer it runs here and now, since only this thread can reach the listeners (see publish_group)."""
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer):
        try:
            build()
        except Exception:
            logger.warning("live state %s not published", key, exc_info=True)
        return
    _get_coalescer().submit(key, build)


def settle(timeout: float = 10.0) -> bool:
    """Wait until the states submitted to publish_latest in this process have been built and queued."""
    return _coalescer.settle(timeout) if _coalescer is not None and _coalescer.is_alive() else True
