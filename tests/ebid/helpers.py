"""Shared by the envelope tests: fixed keys, a binding, and sealing into bytes."""

from __future__ import annotations

import io

from cryptography.hazmat.primitives.asymmetric import ec

from ebid import Binding, read_header, seal
from ebid.unseal import decrypt_parts, unwrap_data_key

BINDING = Binding(tender_id=12, tender_reference="QXZC-2025-017", lot_id=34, bidder_id=56,
                  bidder_credit_code="91331127MA2XYZ0123")
SUMMARY = {"bidder": "浙江青山路桥建设有限公司", "price": "1234567.89", "duration_days": 180, "quality": "合格"}


def key(scalar: int) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(scalar, ec.SECP256R1())


ALICE, BACKUP, MALLORY = key(0xA11CE), key(0xBAC0), key(0x3A11)


def seal_bytes(files=(), *, recipients=(ALICE,), summary=None, binding=BINDING, chunk_size=64, **kwargs):
    out = io.BytesIO()
    result = seal(binding=binding, summary=SUMMARY if summary is None else summary,
                  files=[(name, io.BytesIO(data)) for name, data in files],
                  recipients=[k.public_key() for k in recipients], out=out, chunk_size=chunk_size, **kwargs)
    return out.getvalue(), result


def open_bytes(envelope: bytes, private_key=ALICE) -> dict[str, bytes]:
    """Every part's plaintext by name."""
    stream = io.BytesIO(envelope)
    header = read_header(stream)
    got: dict[str, bytearray] = {}
    decrypt_parts(stream, header, unwrap_data_key(header, private_key),
                  lambda part: got.setdefault(part.name, bytearray()).extend)
    return {name: bytes(data) for name, data in got.items()}
