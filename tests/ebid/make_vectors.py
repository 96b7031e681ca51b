"""Write the committed test vectors (tests/ebid/vectors/*.json) from fixed inputs.

Run `python -m tests.ebid.make_vectors` only when the format itself changes; test_vectors.py checks
that the code still reproduces every committed byte, which is what makes them a specification that
another implementation (the browser's) can be held to.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ebid import Binding, Randomness, seal
from ebid.chunks import chunk_nonce
from ebid.keys import fingerprint

HERE = Path(__file__).parent / "vectors"

CASES = [
    {
        "name": "one-recipient-summary-only",
        "description": "One recipient, the summary alone, 64-byte chunks (the summary spans several).",
        "binding": {"tender_id": 12, "tender_reference": "QXZC-2025-017", "lot_id": 34, "bidder_id": 56,
                    "bidder_credit_code": "91331127MA2XYZ0123"},
        "created_at": "2025-06-01T01:59:30Z",
        "chunk_size": 64,
        "summary": {"bidder": "浙江青山路桥建设有限公司", "price": "1234567.89", "duration_days": 180},
        "files": [],
        "recipient_scalars": [0xA11CE],
        "randomness": {"data_key": "00" * 16 + "ff" * 16, "salts": ["11" * 32],
                       "ephemeral_scalars": [0xE0001]},
    },
    {
        "name": "two-recipients-three-files",
        "description": "Two recipients (a main and a backup key); files of 0, 128 (two full chunks) and 200 "
                       "bytes (a short final chunk), one with a Chinese name.",
        "binding": {"tender_id": 7, "tender_reference": "QXJS-2025-003", "lot_id": 9, "bidder_id": 101,
                    "bidder_credit_code": "91331127MA2ABCDE9K"},
        "created_at": "2025-12-31T15:59:59Z",
        "chunk_size": 64,
        "summary": {"price": "88000.00", "duration_days": 30, "quality": "合格"},
        "files": [{"name": "empty.txt", "content": ""},
                  {"name": "技术标.pdf", "content": bytes(range(128)).hex()},
                  {"name": "商务标.pdf", "content": (bytes(range(100, 200)) * 2).hex()}],
        "recipient_scalars": [0xA11CE, 0xBAC0],
        "randomness": {"data_key": bytes(range(32)).hex(),
                       "salts": ["21" * 32, "22" * 32, "23" * 32, "24" * 32],
                       "ephemeral_scalars": [0xE0002, 0xE0003]},
    },
]


def build(case: dict) -> tuple[bytes, object]:
    recipients = [ec.derive_private_key(s, ec.SECP256R1()).public_key() for s in case["recipient_scalars"]]
    rnd = case["randomness"]
    out = io.BytesIO()
    result = seal(binding=Binding(**case["binding"]), summary=case["summary"],
                  files=[(f["name"], io.BytesIO(bytes.fromhex(f["content"]))) for f in case["files"]],
                  recipients=recipients, out=out, chunk_size=case["chunk_size"],
                  created_at=datetime.strptime(case["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
                  randomness=Randomness(data_key=bytes.fromhex(rnd["data_key"]),
                                        salts=tuple(bytes.fromhex(s) for s in rnd["salts"]),
                                        ephemeral_scalars=tuple(rnd["ephemeral_scalars"])))
    return out.getvalue(), result


def vector(case: dict) -> dict:
    envelope, result = build(case)
    header = result.header
    keys = []
    for scalar in case["recipient_scalars"]:
        private = ec.derive_private_key(scalar, ec.SECP256R1())
        keys.append({"private_scalar": f"{scalar:064x}",
                     "private_pkcs8_pem": private.private_bytes(serialization.Encoding.PEM,
                                                                serialization.PrivateFormat.PKCS8,
                                                                serialization.NoEncryption()).decode(),
                     "public_pem": private.public_key().public_bytes(
                         serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
                     "fingerprint": fingerprint(private.public_key())})
    rnd = case["randomness"]
    return {
        "name": case["name"], "description": case["description"],
        "input": {"binding": case["binding"], "created_at": case["created_at"], "chunk_size": case["chunk_size"],
                  "summary_json": result_summary(case), "files": case["files"]},
        "recipients": keys,
        "randomness": {"data_key": rnd["data_key"], "salts": rnd["salts"],
                       "ephemeral_scalars": [f"{s:064x}" for s in rnd["ephemeral_scalars"]]},
        "expected": {
            "header_length": header.length,
            "context_hash": header.context_hash.hex(),
            "header_hash": header.header_hash.hex(),
            "commitments": [p.commitment.hex() for p in header.parts],
            "chunk_nonces": {str(p.index): [chunk_nonce(p.index, i, i == header.chunk_count(p) - 1).hex()
                                            for i in range(header.chunk_count(p))] for p in header.parts},
            "envelope_length": len(envelope),
            "envelope_hex": envelope.hex(),
        },
    }


def result_summary(case: dict) -> str:
    """The summary exactly as sealed: its canonical JSON (what a JavaScript writer must produce too)."""
    return json.dumps(case["summary"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for case in CASES:
        path = HERE / f"{case['name']}.json"
        path.write_text(json.dumps(vector(case), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()
