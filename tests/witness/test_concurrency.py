"""Many writers at once: the chain head's row lock lines them up, so the chain never forks and has no gaps."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from core.actor import Actor
from witness.chain import GENESIS_HASH
from witness.models import ChainHead, Event
from witness.services import event_record
from witness.verify import chain_verify

THREADS = 8
APPENDS = 50

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent writers need PostgreSQL; SQLite serialises writers"),
]


def writer(number: int, start: threading.Barrier, errors: list[BaseException]) -> None:
    """One thread, its own database connection, 50 appends, each in its own transaction."""
    actor = Actor.system(f"writer-{number}")
    try:
        start.wait()
        for i in range(APPENDS):
            with transaction.atomic():
                event_record(actor=actor, action="test.concurrent", subject_type="test",
                             subject_id=f"{number}-{i}", data={"writer": number, "i": i})
    except BaseException as exc:  # reported by the main thread
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_eight_writers_make_one_unbroken_chain():
    # given 8 threads, each with its own connection, released at the same moment
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)
    threads = [threading.Thread(target=writer, args=(n, start, errors)) for n in range(THREADS)]
    # when each appends 50 events
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert errors == []
    # then there are 400 events numbered 1..400 with no gap, every one linking to the one before
    total = THREADS * APPENDS
    rows = list(Event.objects.order_by("seq").values_list("seq", "prev_hash", "hash", "subject_id"))
    assert len(rows) == total
    assert [seq for seq, *_ in rows] == list(range(1, total + 1))
    previous = GENESIS_HASH
    for seq, prev_hash, digest, _subject in rows:
        assert prev_hash == previous, f"event #{seq} does not link"
        previous = digest
    assert len({subject for *_, subject in rows}) == total
    head = ChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (total, previous)
    result = chain_verify()
    assert result.ok, result.reason
    assert result.checked == total
