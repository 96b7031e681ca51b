"""The hall over WebSocket: several clients watch the same opening; the readout reaches all of them at once
with every summary, a reconnecting client starts from the database state, outsiders are refused."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from bidding.services import opening as svc
from tests.bidding.test_opening import Bidder
from tests.factories import actor_of
from tests.witness.test_views import _session_headers

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest_asyncio.fixture
async def close_db_after():
    yield
    from django.db import connections

    await database_sync_to_async(connections.close_all)()


async def connect(actor, lot_id):
    from config.asgi import application

    headers = await database_sync_to_async(_session_headers)(actor)
    communicator = WebsocketCommunicator(application, f"/ws/hall/{lot_id}/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def until(communicator, predicate, timeout=10):
    """Messages from a shared channel layer may include others': wait for the one that matches."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        message = await communicator.receive_json_from(timeout=max(0.1, end - loop.time()))
        if predicate(message):
            return message
    raise AssertionError("no matching message")


@pytest.mark.usefixtures("close_db_after")
async def test_every_client_sees_the_decryption_and_the_readout_live(open_tender, bid_dirs, clock_at, agency,
                                                                    regulator):
    lot = await database_sync_to_async(lambda: open_tender.lots.get())()
    bidders = [await database_sync_to_async(Bidder)(p) for p in ("1180000.00", "1234567.89", "1099999.50")]
    for b in bidders:
        await database_sync_to_async(b.submit)(lot)
    clock_at(open_tender.bid_deadline)

    watchers = []
    for actor in (agency, regulator, bidders[0].actor, bidders[2].actor):
        communicator, connected, _ = await connect(actor, lot.pk)
        assert connected
        first = await communicator.receive_json_from(timeout=10)
        assert first["status"] == "waiting" and first["counts"]["listed"] == 3 and first["readout"] is None
        watchers.append(communicator)

    outsider, connected, code = await connect(await database_sync_to_async(actor_of)("bidder"), lot.pk)
    assert not connected and code == 4403

    await database_sync_to_async(svc.decryption_start)(actor=agency, lot_id=lot.pk)
    for w in watchers:
        state = await until(w, lambda m: m["status"] == "decrypting")
        assert state["decryption_ends_at"]

    await database_sync_to_async(svc.key_release)(actor=bidders[0].actor, lot_id=lot.pk,
                                                  data_key=bidders[0].data_key())
    for w in watchers:
        state = await until(w, lambda m: m["counts"]["opened"] == 1)
        assert state["readout"] is None and "1180000.00" not in str(state)

    for b in bidders[1:]:
        await database_sync_to_async(svc.key_release)(actor=b.actor, lot_id=lot.pk, data_key=b.data_key())
    for w in watchers:
        state = await until(w, lambda m: m["status"] == "confirming")
        assert [r["price"] for r in state["readout"]] == ["1180000.00", "1234567.89", "1099999.50"]
        assert state["lot"]["ceiling_price"] == f"{lot.ceiling_price:.2f}"

    # A client that reconnects starts from the database state, readout included.
    await watchers[2].disconnect()
    again, connected, _ = await connect(bidders[0].actor, lot.pk)
    assert connected
    state = await again.receive_json_from(timeout=10)
    assert state["status"] == "confirming" and len(state["readout"]) == 3
    await again.disconnect()
    for w in watchers[:2] + watchers[3:]:
        await w.disconnect()
