"""How long witness_verify takes over a long ledger, against the raw cost of hashing it.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebid .venv/bin/python bench/witness_verify.py [N]

Builds a chain of N events (default 100,000) in a fresh database (ebid_bench) the fast way: hashes computed
with witness.chain.event_hash, rows written with bulk_create, the chain head set. Then times
witness.verify.chain_verify() over it, and in the same run the raw rate of SHA-256 over the canonical
JSON of the same events in memory (the floor: verification cannot be faster than hashing every event).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from _common import fresh_django_database, server_facts

TARGET_SECONDS = 5.0
BATCH = 5000


def event_fields(n: int, start: datetime) -> list[dict]:
    """Events shaped like the platform's: mostly small transitions, some with a tender summary."""
    rows = []
    for i in range(n):
        tender = 1 + i // 40
        if i % 10 == 0:
            data = {"title": f"青溪县第{tender}号道路提升改造工程", "category": "works", "method": "open",
                    "budget": str(Decimal("4860000.00") + i), "tenderer": 5, "agency": 3,
                    "publish_at": "2026-11-23T01:00:00.000000Z", "bid_deadline": "2026-12-17T01:30:00.000000Z",
                    "lots": [{"number": k, "name": f"第{k}标段", "budget": "2430000.00", "ceiling_price": "2381400.00"}
                             for k in (1, 2)]}
        else:
            data = {"from": "submitted", "to": "published", "note": ""}
        rows.append(dict(
            created_at=start + timedelta(milliseconds=37 * i), actor_id=None, actor_name="陈雅琴",
            organisation_id=None, organisation_name="浙江青溪正信招标代理有限公司", role="agency",
            ip="203.0.113.7", action="tender.updated" if i % 10 == 0 else "tender.approved",
            subject_type="bidding.tender", subject_id=str(tender), tender_id=tender, data=data,
        ))
    return rows


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    url = fresh_django_database()
    from django.db import transaction

    from witness.chain import GENESIS_HASH, canonical_bytes, event_hash
    from witness.models import ChainHead, Event
    from witness.verify import chain_verify

    print(f"witness_verify: N={total:,}; {server_facts(url)}")
    rows = event_fields(total, datetime(2026, 1, 5, 1, 0, tzinfo=UTC))

    started = time.perf_counter()
    prev = GENESIS_HASH
    events = []
    for seq, fields in enumerate(rows, start=1):
        digest = event_hash(seq=seq, prev_hash=prev, **fields)
        events.append(Event(seq=seq, prev_hash=prev, hash=digest, **fields))
        prev = digest
    with transaction.atomic():
        for k in range(0, total, BATCH):
            Event.objects.bulk_create(events[k:k + BATCH])
        ChainHead.objects.filter(pk=1).update(seq=total, hash=prev)
    print(f"  built the chain in {time.perf_counter() - started:.1f} s")

    # The floor, in memory: canonical JSON + SHA-256 for every event, then SHA-256 alone.
    started = time.perf_counter()
    prev = GENESIS_HASH
    encoded = []
    for seq, fields in enumerate(rows, start=1):
        data = canonical_bytes(seq=seq, prev_hash=prev, **fields)
        prev = hashlib.sha256(data).hexdigest()
        encoded.append(data)
    raw_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for data in encoded:
        hashlib.sha256(data).hexdigest()
    sha_seconds = time.perf_counter() - started

    started = time.perf_counter()
    result = chain_verify()
    verify_seconds = time.perf_counter() - started
    if not result.ok or result.checked != total:
        sys.exit(f"chain_verify FAILED: {result.reason} (checked {result.checked:,})")

    print(f"  chain_verify():                 {verify_seconds:6.2f} s  {total / verify_seconds:>10,.0f} events/s")
    print(f"  canonical JSON + SHA-256 (raw): {raw_seconds:6.2f} s  {total / raw_seconds:>10,.0f} events/s")
    print(f"  SHA-256 alone:                  {sha_seconds:6.2f} s  {total / sha_seconds:>10,.0f} events/s")
    print(f"  chain_verify / raw time: {verify_seconds / raw_seconds:.2f}")
    verdict = "met" if verify_seconds < TARGET_SECONDS else "MISSED"
    print(f"target < {TARGET_SECONDS:.0f} s for {total:,} events: {verdict} ({verify_seconds:.2f} s)")


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    main()
