"""Ledger appends per second, against the physical limit of the same PostgreSQL server.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebid .venv/bin/python bench/ledger_append.py [N]

Measures, in one run, on a fresh database (ebid_bench):
  * witness.services.event_record, each append its own transaction, with 1 writer and with 8 writers
    (8 processes, each with its own Django and connection);
  * the raw commit rate of a one-row INSERT per transaction into a plain table, with 1 and 8 writers;
then prints the ratios and verifies the chain. N (default 5000) is the number of appends per measurement.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import time

from _common import conninfo, django_setup, fresh_django_database, server_facts

WRITERS = 8
TARGET_ONE_WRITER = 2000  # appends per second


def _ledger_worker(url: str, count: int, offset: int, barrier, results) -> None:
    django_setup(url)
    from core.actor import Actor
    from witness.services import event_record

    actor = Actor(user=None, organisation=None, role="system", ip="127.0.0.1")
    event_record(actor=actor, action="bench.warmup", subject_type="bench", subject_id=f"warm-{offset}")
    barrier.wait()
    start = time.perf_counter()
    for i in range(offset, offset + count):
        event_record(actor=actor, action="bench.append", subject_type="bench.item", subject_id=i,
                     data={"n": i, "note": "one append, one transaction", "amount": "1250000.00"})
    results.put((start, time.perf_counter()))


def _raw_worker(url: str, count: int, offset: int, barrier, results) -> None:
    import psycopg

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("INSERT INTO bench_raw (n, payload) VALUES (%s, %s)", (-1, "warm-up"))
        barrier.wait()
        start = time.perf_counter()
        for i in range(offset, offset + count):
            conn.execute("INSERT INTO bench_raw (n, payload) VALUES (%s, %s)", (i, "one row, one transaction"))
        results.put((start, time.perf_counter()))


def run(worker, url: str, total: int, writers: int) -> float:
    """Appends per second over the span from the first writer's start to the last one's end."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(writers)
    results = ctx.Queue()
    share = total // writers
    procs = [ctx.Process(target=worker, args=(url, share, k * share, barrier, results)) for k in range(writers)]
    for proc in procs:
        proc.start()
    spans = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            sys.exit(f"a writer failed (exit code {proc.exitcode})")
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    return share * writers / elapsed


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    url = fresh_django_database()
    import psycopg
    from django.conf import settings
    from django.db import connections

    from witness.verify import chain_verify

    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_raw (id bigserial PRIMARY KEY, n integer NOT NULL, payload text NOT NULL)")
    connections.close_all()

    print(f"ledger_append: N={total} per measurement; {server_facts(url)}")
    print(f"channel layer: {settings.CHANNEL_LAYERS['default']['BACKEND']}")
    figures = {}
    for label, worker in (("ledger", _ledger_worker), ("raw INSERT", _raw_worker)):
        for writers in (1, WRITERS):
            rate = run(worker, url, total, writers)
            figures[(label, writers)] = rate
            print(f"  {label:<10} {writers} writer{'s' if writers > 1 else ' '}: {rate:>9,.0f} commits/s")
    for writers in (1, WRITERS):
        ratio = figures[("ledger", writers)] / figures[("raw INSERT", writers)]
        print(f"  ledger / raw with {writers} writer{'s' if writers > 1 else ''}: {ratio:.2f}")
    scaling = figures[("ledger", WRITERS)] / figures[("ledger", 1)]
    print(f"  ledger {WRITERS} writers / 1 writer: {scaling:.2f}")

    started = time.perf_counter()
    result = chain_verify()
    elapsed = time.perf_counter() - started
    print(f"chain_verify: {'OK' if result.ok else 'FAILED: ' + result.reason}, {result.checked:,} events "
          f"in {elapsed:.2f} s")
    one = figures[("ledger", 1)]
    print(f"target >= {TARGET_ONE_WRITER:,} appends/s with one writer: {'met' if one >= TARGET_ONE_WRITER else 'MISSED'}"
          f" ({one:,.0f})")
    if not result.ok:
        sys.exit(1)


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    main()
