"""A deadline race on PostgreSQL (DESIGN §4 invariant 2): two bidders finish at the same moment, queued on
the lot's row lock; the one whose server clock reads a millisecond before the deadline is a bid, the one a
millisecond after is refused and recorded, whatever order the lock grants them."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction

from bidding.models import Bid, Lot
from bidding.services.bids import bid_upload_chunk, bid_upload_finish, bid_upload_start
from core import clock
from core.errors import IllegalTransition
from tests.bidding.conftest import make_sealer
from tests.conftest import is_postgres
from tests.factories import actor_of
from witness.models import Event

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("english", "bid_dirs")]


def waiting_on_locks() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # statistics are otherwise frozen for the transaction
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = "
                       "current_database()")
        return cursor.fetchone()[0]


@pytest.mark.skipif(not is_postgres(), reason="row locks are PostgreSQL's; SQLite serialises whole transactions")
def test_a_millisecond_before_is_a_bid_and_a_millisecond_after_is_not(open_tender, monkeypatch):
    lot = open_tender.lots.get()
    deadline = open_tender.bid_deadline
    uploads = {}
    for name in ("early", "late"):
        sealer = make_sealer(actor_of("bidder"))
        envelope = sealer.seal(lot)
        upload = bid_upload_start(actor=sealer.actor, lot_id=lot.pk, size=len(envelope),
                                  sha256=hashlib.sha256(envelope).hexdigest(), idempotency_key=name)
        bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope)
        uploads[name] = (sealer, upload)

    # a clock per thread: both read "before the deadline" until they queue on the lock
    times = {"early": deadline - timedelta(milliseconds=1), "late": deadline - timedelta(seconds=5)}
    local = threading.local()
    monkeypatch.setattr(clock, "now", lambda: times[local.name])
    results: dict[str, object] = {}

    def finish(name: str) -> None:
        local.name = name
        sealer, upload = uploads[name]
        try:
            results[name] = bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
        except IllegalTransition as exc:
            results[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=(name,)) for name in ("late", "early")]
    with transaction.atomic():
        Lot.objects.select_for_update().get(pk=lot.pk)  # hold the lot: both finishes queue behind it
        for thread in threads:
            thread.start()
        for _ in range(200):
            if waiting_on_locks() >= 2:
                break
            time.sleep(0.05)
        assert waiting_on_locks() >= 2
        times["late"] = deadline + timedelta(milliseconds=1)
    for thread in threads:
        thread.join(30)

    assert isinstance(results["early"], Bid)
    assert isinstance(results["late"], IllegalTransition) and results["late"].code == "deadline_passed"
    assert list(Bid.objects.values_list("bidder_id", flat=True)) == [uploads["early"][0].actor.organisation_id]
    refused = Event.objects.get(action="bid.refused_late")
    assert refused.data["upload"] == uploads["late"][1].pk
