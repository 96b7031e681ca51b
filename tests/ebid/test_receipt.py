"""Receipts: what the platform signs is what the bidder can verify offline; nothing else verifies."""

from __future__ import annotations

import copy
import hashlib
import io

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from ebid import ReceiptError
from ebid.receipt import sign_receipt, verify_receipt

ENVELOPE = b"EBIDSEAL" + bytes(100)
RECEIPT = {"format": "ebid-receipt/1", "received_at": "2025-06-01T01:59:59.123456Z", "bid": {"id": 501},
           "tender": {"id": 12, "reference": "QXZC-2025-017"}, "lot": {"id": 34},
           "bidder": {"id": 56, "credit_code": "91331127MA2XYZ0123"},
           "envelope": {"sha256": hashlib.sha256(ENVELOPE).hexdigest(), "size": len(ENVELOPE)}}
KEYS = {"Ed25519": ed25519.Ed25519PrivateKey.generate(), "ES256": ec.generate_private_key(ec.SECP256R1())}


@pytest.mark.parametrize("algorithm", sorted(KEYS))
def test_a_signed_receipt_verifies_with_the_platform_key_and_its_envelope(algorithm):
    document = sign_receipt(RECEIPT, KEYS[algorithm])
    assert document["signature"]["algorithm"] == algorithm
    assert verify_receipt(document, KEYS[algorithm].public_key(), io.BytesIO(ENVELOPE)) == RECEIPT


@pytest.mark.parametrize("algorithm", sorted(KEYS))
def test_an_altered_receipt_does_not_verify(algorithm):
    document = sign_receipt(RECEIPT, KEYS[algorithm])
    for path, value in [(("lot", "id"), 35), (("envelope", "size"), 1), (("received_at",), "2025-06-01T02:00:00Z")]:
        altered = copy.deepcopy(document)
        target = altered["receipt"]
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        with pytest.raises(ReceiptError, match="does not verify"):
            verify_receipt(altered, KEYS[algorithm].public_key())


def test_a_receipt_signed_by_another_key_is_refused():
    document = sign_receipt(RECEIPT, ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ReceiptError, match="another key"):
        verify_receipt(document, KEYS["ES256"].public_key())


def test_a_receipt_for_another_envelope_is_refused():
    document = sign_receipt(RECEIPT, KEYS["Ed25519"])
    with pytest.raises(ReceiptError, match="not the one the receipt names"):
        verify_receipt(document, KEYS["Ed25519"].public_key(), io.BytesIO(ENVELOPE + b"x"))


def test_a_malformed_receipt_is_refused_before_any_signature_check():
    for broken in [{}, {"receipt": RECEIPT}, {"receipt": {**RECEIPT, "lot": 34}, "signature": {}},
                   {"receipt": {**RECEIPT, "extra": 1}, "signature": {}}]:
        with pytest.raises(ReceiptError):
            verify_receipt(broken, KEYS["Ed25519"].public_key())
