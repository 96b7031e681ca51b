"""Released data keys at rest (DESIGN §5): each kept encrypted under the platform's key-encryption key
(settings.BID_KEY_ENCRYPTION_KEY), bound to its bid and envelope hash, so evaluators can read the bid later
and a key copied onto another bid's row does not open.

The KEK protects opened bids only. Before opening the platform holds no data key at all: a sealed bid needs
the bidder's private key (invariant 1)."""

from __future__ import annotations

import base64
import binascii
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

VERSION = b"\x01"


@lru_cache(maxsize=4)
def _kek(raw: str) -> AESGCM:
    text = raw.strip()
    try:
        key = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise ValueError("BID_KEY_ENCRYPTION_KEY must be 32 bytes in base64 or hex") from None
    if len(key) != 32:
        raise ValueError("BID_KEY_ENCRYPTION_KEY must be 32 bytes")
    return AESGCM(key)


def _aad(bid_id: int, sha256: str) -> bytes:
    return f"ebid-data-key/1:bid={bid_id}:envelope={sha256}".encode()


def wrap(data_key: bytes, *, bid_id: int, sha256: str) -> bytes:
    nonce = os.urandom(12)
    return VERSION + nonce + _kek(settings.BID_KEY_ENCRYPTION_KEY).encrypt(nonce, data_key, _aad(bid_id, sha256))


def unwrap(blob: bytes, *, bid_id: int, sha256: str) -> bytes:
    blob = bytes(blob)
    if blob[:1] != VERSION:
        raise ValueError("unknown wrapped-key version")
    return _kek(settings.BID_KEY_ENCRYPTION_KEY).decrypt(blob[1:13], blob[13:], _aad(bid_id, sha256))
