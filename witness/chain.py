"""The canonical encoding and hash of a ledger event (documented in docs/witness.md).

Kept free of the ORM so that an auditor can re-implement it from the page."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

GENESIS_HASH = "0" * 64
FORMAT_VERSION = 1


def format_time(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("ledger times must be aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalise_data(value: Any) -> Any:
    """JSON-safe data that survives a database round trip unchanged.

    Decimals, times, dates and UUIDs become strings; floats are refused (money is
    Decimal, and a float may not come back from jsonb with the same digits)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        raise TypeError("ledger data may not hold floats; use Decimal or str")
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return format_time(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): normalise_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise_data(v) for v in value]
    return str(value)


def canonical_bytes(
    *,
    seq: int,
    created_at: datetime | str,
    actor_id: int | None,
    actor_name: str,
    organisation_id: int | None,
    organisation_name: str,
    role: str,
    ip: str,
    action: str,
    subject_type: str,
    subject_id: str,
    tender_id: int | None,
    data: Any,
    prev_hash: str,
) -> bytes:
    record = {
        "v": FORMAT_VERSION,
        "seq": seq,
        "time": created_at if isinstance(created_at, str) else format_time(created_at),
        "actor": actor_id,
        "actor_name": actor_name,
        "org": organisation_id,
        "org_name": organisation_name,
        "role": role,
        "ip": ip,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "tender": tender_id,
        "data": data,
        "prev": prev_hash,
    }
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical_bytes(**fields)).hexdigest()


def canonical_parts(**fields: Any) -> tuple[str, str, str]:
    """The canonical text split around the two values only the chain head knows: the previous hash and
    the sequence number. prefix + prev_hash + middle + str(seq) + suffix == canonical_bytes(...).decode().

    Used by the PostgreSQL append function, which fills them in under the head's row lock."""
    import secrets

    prev_token = secrets.token_hex(32)
    seq_token = int.from_bytes(secrets.token_bytes(7), "big") + 10**17
    text = canonical_bytes(**{**fields, "prev_hash": prev_token, "seq": seq_token}).decode("utf-8")
    # "prev" and "seq" sort after "data", and nothing after them can hold these random tokens: split from the right.
    head, _, tail = text.rpartition(f'"prev":"{prev_token}"')
    middle, _, suffix = tail.rpartition(f'"seq":{seq_token}')
    return head + '"prev":"', '"' + middle + '"seq":', suffix
