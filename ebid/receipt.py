"""Submission receipts (docs/sealing.md §8): what the platform signs when it has durably stored a bid.

The signature is detached over the canonical JSON of the `receipt` object, with the platform's
Ed25519 or ECDSA P-256 key (ES256, signature as r || s, 64 bytes, as WebCrypto produces it), so the
bidder can verify it offline with the platform's published public key and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from typing import BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ebid.canonical import canonical_json
from ebid.errors import ReceiptError
from ebid.keys import fingerprint

RECEIPT_FORMAT = "ebid-receipt/1"
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")
HEX64 = re.compile(r"[0-9a-f]{64}")


def _algorithm(key) -> str:
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "Ed25519"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)) and isinstance(key.curve,
                                                                                              ec.SECP256R1):
        return "ES256"
    raise ReceiptError("the platform's receipt key is Ed25519 or ECDSA P-256")


def sign_receipt(receipt: dict, private_key) -> dict:
    """The signed receipt document; the platform's side of `verify_receipt`."""
    _check_receipt(receipt)
    algorithm = _algorithm(private_key)
    message = canonical_json(receipt)
    if algorithm == "Ed25519":
        value = private_key.sign(message)
    else:
        r, s = decode_dss_signature(private_key.sign(message, ec.ECDSA(hashes.SHA256())))
        value = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return {"receipt": receipt, "signature": {"algorithm": algorithm,
                                              "key_fingerprint": fingerprint(private_key.public_key()),
                                              "value": base64.b64encode(value).decode("ascii")}}


def verify_receipt(document: dict, public_key, envelope: BinaryIO | None = None) -> dict:
    """The receipt, once its signature verifies under `public_key` (and, given the envelope, once its
    SHA-256 and size are those the receipt names). ReceiptError otherwise."""
    if not isinstance(document, dict) or set(document) != {"receipt", "signature"}:
        raise ReceiptError("a receipt file holds exactly “receipt” and “signature”")
    receipt, signature = document["receipt"], document["signature"]
    _check_receipt(receipt)
    if not isinstance(signature, dict) or set(signature) != {"algorithm", "key_fingerprint", "value"}:
        raise ReceiptError("the signature holds exactly “algorithm”, “key_fingerprint” and “value”")
    algorithm = _algorithm(public_key)
    if signature["algorithm"] != algorithm:
        raise ReceiptError(f"the receipt is signed with {signature['algorithm']!r}; the platform key given is "
                           f"{algorithm}")
    if signature["key_fingerprint"] != fingerprint(public_key):
        raise ReceiptError("the receipt was signed by another key than the platform key given "
                           f"({signature['key_fingerprint']!r})")
    try:
        value = base64.b64decode(signature["value"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise ReceiptError("the signature value is not base64") from None
    message = canonical_json(receipt)
    try:
        if algorithm == "Ed25519":
            public_key.verify(value, message)
        else:
            if len(value) != 64:
                raise InvalidSignature
            der = encode_dss_signature(int.from_bytes(value[:32], "big"), int.from_bytes(value[32:], "big"))
            public_key.verify(der, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ReceiptError("the receipt's signature does not verify: it was altered or not issued by this "
                           "platform") from None
    if envelope is not None:
        digest, size = hashlib.sha256(), 0
        while data := envelope.read(1 << 20):
            digest.update(data)
            size += len(data)
        if size != receipt["envelope"]["size"] or not hmac.compare_digest(digest.hexdigest(),
                                                                           receipt["envelope"]["sha256"]):
            raise ReceiptError(f"this envelope (SHA-256 {digest.hexdigest()}, {size} bytes) is not the one the "
                               f"receipt names (SHA-256 {receipt['envelope']['sha256']}, "
                               f"{receipt['envelope']['size']} bytes)")
    return receipt


def _check_receipt(receipt) -> None:
    expected = {"format", "received_at", "bid", "tender", "lot", "bidder", "envelope"}
    if not isinstance(receipt, dict) or set(receipt) != expected:
        raise ReceiptError(f"a receipt holds exactly the fields {sorted(expected)}")
    try:
        ok = (receipt["format"] == RECEIPT_FORMAT and TIMESTAMP.fullmatch(receipt["received_at"])
              and set(receipt["bid"]) == {"id"} and type(receipt["bid"]["id"]) is int
              and set(receipt["tender"]) == {"id", "reference"} and type(receipt["tender"]["id"]) is int
              and isinstance(receipt["tender"]["reference"], str)
              and set(receipt["lot"]) == {"id"} and type(receipt["lot"]["id"]) is int
              and set(receipt["bidder"]) == {"id", "credit_code"} and type(receipt["bidder"]["id"]) is int
              and isinstance(receipt["bidder"]["credit_code"], str)
              and set(receipt["envelope"]) == {"sha256", "size"} and type(receipt["envelope"]["size"]) is int
              and HEX64.fullmatch(receipt["envelope"]["sha256"]))
    except (TypeError, AttributeError):
        ok = False
    if not ok:
        raise ReceiptError(f"this is not an {RECEIPT_FORMAT} receipt (a field is missing or has the wrong type)")
