"""Key release at an opening with 500 bids: server time to take and check every data key.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebid [REDIS_URL=redis://127.0.0.1:6379/0] \\
        .venv/bin/python bench/key_release.py [N] [THREADS]

Creates its own database (BENCH_DATABASE, default ebid_bench_keys) and makes, with the platform's clock run
from the past: N bidder organisations (default 500), each with a sealing key registered through
accounts.services.key_register, and two one-lot tenders whose deadline has passed, each with a bid sealed by
`ebid` (a small summary and a 2 KiB file) from every bidder, uploaded through bidding.services.bids. Then,
at the real time, the host starts decryption at both lots and every bidder's data key is unwrapped
beforehand (the bidder's machine does that, not the server). Timed: bidding.services.opening.key_release
for all N keys of the first lot one after another, and of the second lot from THREADS threads at once
(default 4; 0 skips it). Each call reads the envelope, decrypts the sealed summary with the key, and in one
transaction marks the bid decrypted, keeps the key under the platform KEK and records the ledger event; the
last one reads out the lot; the total runs until the hall's last state is published. Prints the total, the
per-key mean, p50, p99 and max, the time spent building and publishing the hall's state (after the commits,
at most once per LIVE_STATE_INTERVAL_MS: witness.feed.publish_latest), and checks the readout has N rows. In the same
run, the floor: the envelope reads, summary decryptions and key wraps alone, and one raw lock/update/commit
transaction per key on a scratch table.

With REDIS_URL set the hall's state is published to the Redis channel layer by the coalescing thread, as in
production; without it the in-memory layer builds it after every release and drops it (nobody could be
listening), which is not what production does: set REDIS_URL."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DATABASE", "ebid_bench_keys")
# Bid envelopes, upload chunks and the development keys go to a scratch directory, not var/.
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="ebid-bench-keys-")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

from bench._common import fresh_django_database, server_facts  # noqa: E402

TARGET_SECONDS = 10.0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class BroadcastTimer:
    """Adds up the time spent in bidding.tasks.hall_publish (hall_state + publish), which the live-state
    coalescer (witness.feed.publish_latest) runs after the commits, at most once per LIVE_STATE_INTERVAL_MS."""

    def __init__(self) -> None:
        import bidding.tasks

        self.module, self.real = bidding.tasks, bidding.tasks.hall_publish
        self.seconds, self.calls, self.lock = 0.0, 0, threading.Lock()

    def __enter__(self):
        def timed(lot_id: int) -> None:
            started = time.perf_counter()
            self.real(lot_id)
            with self.lock:
                self.seconds += time.perf_counter() - started
                self.calls += 1
        self.module.hall_publish = timed
        return self

    def __exit__(self, *exc) -> None:
        self.module.hall_publish = self.real


def release_all(lot, bidders, keys, threads: int) -> tuple[float, float, list[float], BroadcastTimer]:
    """Every key released and the last state published; returns the wall time, this process's CPU time (all
    threads, the coalescer's included), each call's time."""
    from django.db import connection

    from bidding.services import opening as svc
    from witness import feed

    times: list[float] = []
    lock = threading.Lock()

    def worker(share) -> None:
        mine = []
        try:
            for bidder, key in share:
                started = time.perf_counter()
                svc.key_release(actor=bidder.actor, lot_id=lot.pk, data_key=key)
                mine.append(time.perf_counter() - started)
        finally:
            if threads:
                connection.close()
            with lock:
                times.extend(mine)

    pairs = list(zip(bidders, keys))
    with BroadcastTimer() as broadcast:
        started, cpu_started = time.perf_counter(), time.process_time()
        if threads:
            pool = [threading.Thread(target=worker, args=(pairs[k::threads],)) for k in range(threads)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
        else:
            worker(pairs)
        assert feed.settle(30), "the hall's last state was not published"
        total, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return total, cpu, times, broadcast


def floor(url: str, lot, keys: list[bytes]) -> tuple[float, float]:
    """The work no key release can skip, timed on its own in the same run: (1) reading each stored envelope,
    decrypting its sealed summary with the key and wrapping the key under the KEK, the very calls the service
    makes; (2) one transaction per key on PostgreSQL that locks a row, updates it and commits (raw psycopg,
    a scratch table). Returns the seconds of each for all the keys."""
    import psycopg

    from bench._common import conninfo
    from bidding import keyvault
    from bidding.models import Bid
    from ebid import read_header, read_summary

    bids = list(Bid.objects.filter(lot=lot).order_by("pk"))
    by_bidder = {b.bidder_id: b for b in bids}
    started = time.perf_counter()
    for bid, key in zip((by_bidder[o] for o in ORDER[lot.pk]), keys):
        with bid.envelope.open("rb") as fh:
            read_summary(fh, read_header(fh), key)
        keyvault.wrap(key, bid_id=bid.pk, sha256=bid.sha256)
    crypto = time.perf_counter() - started
    with psycopg.connect(conninfo(url)) as conn:
        conn.execute("CREATE TABLE bench_release (id integer PRIMARY KEY, status text NOT NULL, wrapped bytea)")
        conn.execute("INSERT INTO bench_release SELECT g, 'sealed', NULL FROM generate_series(1, %s) g", (len(keys),))
        conn.commit()
        started = time.perf_counter()
        for i, key in enumerate(keys, 1):
            conn.execute("SELECT status FROM bench_release WHERE id = %s FOR UPDATE", (i,)).fetchone()
            conn.execute("UPDATE bench_release SET status = 'decrypted', wrapped = %s WHERE id = %s", (key, i))
            conn.commit()
        transactions = time.perf_counter() - started
    return crypto, transactions


ORDER: dict[int, list[int]] = {}  # lot id -> bidder ids in the order their keys are released


def check_readout(lot, count: int) -> str:
    from bidding.hall import hall_state
    from bidding.models import Opening

    state = hall_state(Opening.objects.select_related("lot__tender").get(lot=lot))
    rows = state["readout"] or []
    ok = state["status"] == "confirming" and len(rows) == count and state["counts"]["opened"] == count
    return f"status {state['status']}, readout {len(rows)} rows{'' if ok else '  <-- WRONG'}"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    url = fresh_django_database()
    from django.conf import settings

    from bench._opening import bidders_make, history, past_tenders
    from bidding.services import opening as svc

    settings.DEBUG = False  # production keeps no query log
    lots_needed = 2 if threads else 1
    print(f"key_release: {count} bids per lot; {server_facts(url)}; load average {os.getloadavg()[0]:.1f}")
    print(f"channel layer: {settings.CHANNEL_LAYERS['default']['BACKEND']}")

    started = time.perf_counter()
    with history():
        bidders = bidders_make(count)
        people, lots = past_tenders(lots_needed, bidders)
    print(f"setup (not timed below): {count} bidders with keys, {count * lots_needed} sealed bids submitted "
          f"in {time.perf_counter() - started:.1f} s")

    for lot in lots:
        svc.decryption_start(actor=people["agency"], lot_id=lot.pk)
    runs = [("sequential", lots[0], 0)] + ([(f"{threads} threads", lots[1], threads)] if threads else [])
    results = []
    for label, lot, n in runs:
        keys = [b.data_key(lot.pk) for b in bidders]  # on each bidder's machine, not timed
        ORDER[lot.pk] = [b.actor.organisation.pk for b in bidders]
        total, cpu, times, broadcast = release_all(lot, bidders, keys, n)
        results.append(total)
        print(f"  {label:<11} total {total:6.2f} s (CPU of this process {cpu:5.2f} s)  per key: mean "
              f"{statistics.mean(times) * 1000:6.1f} ms  p50 {pct(times, 50) * 1000:6.1f}  p99 {pct(times, 99) * 1000:6.1f}"
              f"  max {max(times) * 1000:6.1f} ms")
        print(f"  {'':<11} hall state built and published (coalesced): {broadcast.seconds:.2f} s "
              f"({broadcast.calls} times, {broadcast.seconds / max(1, broadcast.calls) * 1000:.1f} ms each);  "
              f"{check_readout(lot, count)}")
    crypto, transactions = floor(url, lots[0], [b.data_key(lots[0].pk) for b in bidders])
    print(f"  floor, same run: envelope read + summary decrypt + key wrap {crypto:.2f} s, one lock/update/commit "
          f"transaction per key {transactions:.2f} s; sum {crypto + transactions:.2f} s "
          f"({(crypto + transactions) / count * 1000:.1f} ms per key); sequential release / floor "
          f"{results[0] / (crypto + transactions):.1f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    best = min(results)
    print(f"target <= {TARGET_SECONDS:.0f} s for {count} keys: {'met' if results[0] <= TARGET_SECONDS else 'MISSED'}"
          f" (sequential {results[0]:.2f} s" + (f", threaded {results[1]:.2f} s)" if len(results) > 1 else ")"))
    if best > TARGET_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(os.environ["VAR_DIR"], ignore_errors=True)
