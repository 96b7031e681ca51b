"""Walk the whole chain and say whether it holds, naming the first bad event."""

from __future__ import annotations

from dataclasses import dataclass

from witness.chain import GENESIS_HASH, event_hash
from witness.models import ChainHead, Event

FIELDS = (
    "seq", "created_at", "actor_id", "actor_name", "organisation_id", "organisation_name", "role", "ip",
    "action", "subject_type", "subject_id", "tender_id", "data", "prev_hash", "hash",
)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    last_seq: int
    bad_seq: int | None = None
    reason: str = ""


def chain_verify(*, chunk_size: int = 5000) -> VerifyResult:
    expected_seq = 1
    prev = GENESIS_HASH
    checked = 0
    rows = Event.objects.order_by("seq").values_list(*FIELDS).iterator(chunk_size=chunk_size)
    for row in rows:
        fields = dict(zip(FIELDS, row))
        stored_hash = fields.pop("hash")
        seq = fields["seq"]
        if seq != expected_seq:
            return VerifyResult(False, checked, seq, expected_seq,
                                f"event #{expected_seq} is missing or out of order (found #{seq} in its place)")
        if fields["prev_hash"] != prev:
            return VerifyResult(False, checked, seq, seq,
                                f"event #{seq} does not link to the hash of event #{seq - 1}")
        if event_hash(**fields) != stored_hash:
            return VerifyResult(False, checked, seq, seq, f"event #{seq} was altered: its content does not match its hash")
        prev = stored_hash
        expected_seq += 1
        checked += 1
    head = ChainHead.objects.filter(pk=1).values_list("seq", "hash").first()
    head_seq, head_hash = head if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != prev:
        missing = checked + 1
        return VerifyResult(False, checked, checked, missing,
                            f"the chain ends at event #{checked} but its head records #{head_seq}: "
                            f"event #{missing} onwards were removed")
    return VerifyResult(True, checked, checked)
