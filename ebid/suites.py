"""Algorithm suites: everything the format leaves to the suite id in the preamble.

A suite fixes the key-encapsulation (how the data key is wrapped for a recipient), the chunk AEAD and
the hash used for the header hash and the commitments. Suite 1 is P-256 ECDH + HKDF-SHA256 + AES-256-GCM;
a national-algorithm suite (SM2 + SM3 + SM4-GCM) gets another id and another class here, and the
envelope layout around it stays the same.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ebid.errors import Tampered
from ebid.keys import fingerprint_bytes

WRAP_INFO = b"ebid/1 key wrap"
ZERO_NONCE = bytes(12)
DATA_KEY_SIZE = 32
TAG_SIZE = 16


class Suite(Protocol):
    id: int
    name: str
    record_size: int  # bytes in one recipient record

    def hash(self, data: bytes) -> bytes: ...

    def hasher(self): ...

    def aead(self, key: bytes): ...

    def wrap(self, *, data_key: bytes, recipient: object, context_hash: bytes, ephemeral: object) -> bytes: ...

    def record_fingerprint(self, record: bytes) -> bytes: ...

    def unwrap(self, *, record: bytes, private_key: object, context_hash: bytes) -> bytes: ...

    def describe_record(self, record: bytes) -> dict: ...


@dataclass(frozen=True)
class P256Suite:
    """Suite 1: "P256-HKDF-SHA256-AES256GCM".

    Recipient record (145 bytes): fingerprint (32) || ephemeral public key, SEC1 uncompressed (65) ||
    AES-256-GCM(KEK, nonce = 12 zero bytes, data key, AAD = context hash) (32 + 16).
    KEK = HKDF-SHA256(IKM = ECDH(ephemeral, recipient), salt = context hash,
                      info = "ebid/1 key wrap" || fingerprint || ephemeral public key, L = 32).
    The zero nonce is safe because every KEK comes from a fresh ephemeral key and wraps one key once.
    """

    id: int = 1
    name: str = "P256-HKDF-SHA256-AES256GCM"
    record_size: int = 32 + 65 + 48

    def hash(self, data: bytes) -> bytes:
        return hashlib.sha256(data).digest()

    def hasher(self):
        return hashlib.sha256()

    def aead(self, key: bytes) -> AESGCM:
        return AESGCM(key)

    def _kek(self, shared: bytes, context_hash: bytes, fingerprint: bytes, ephemeral_point: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=context_hash,
                    info=WRAP_INFO + fingerprint + ephemeral_point).derive(shared)

    def wrap(self, *, data_key: bytes, recipient: ec.EllipticCurvePublicKey, context_hash: bytes,
             ephemeral: ec.EllipticCurvePrivateKey) -> bytes:
        if not (isinstance(recipient, ec.EllipticCurvePublicKey) and isinstance(recipient.curve, ec.SECP256R1)):
            raise TypeError("suite 1 recipients are P-256 public keys")
        fingerprint = fingerprint_bytes(recipient)
        point = ephemeral.public_key().public_bytes(serialization.Encoding.X962,
                                                    serialization.PublicFormat.UncompressedPoint)
        kek = self._kek(ephemeral.exchange(ec.ECDH(), recipient), context_hash, fingerprint, point)
        return fingerprint + point + AESGCM(kek).encrypt(ZERO_NONCE, data_key, context_hash)

    def record_fingerprint(self, record: bytes) -> bytes:
        return record[:32]

    def unwrap(self, *, record: bytes, private_key: ec.EllipticCurvePrivateKey, context_hash: bytes) -> bytes:
        """The data key, or Tampered when this record does not open with this key.

        The fingerprint in the KDF is the key's own, not the record's, so a record whose stored
        fingerprint was altered still opens (and the header hash then catches the alteration).
        """
        point = record[32:97]
        try:
            ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
            shared = private_key.exchange(ec.ECDH(), ephemeral)
        except ValueError:
            raise Tampered("a recipient's ephemeral public key is not a valid P-256 point") from None
        kek = self._kek(shared, context_hash, fingerprint_bytes(private_key.public_key()), point)
        try:
            return AESGCM(kek).decrypt(ZERO_NONCE, record[97:], context_hash)
        except InvalidTag:
            raise Tampered("the wrapped data key does not authenticate: the header or the key record was "
                           "altered") from None

    def describe_record(self, record: bytes) -> dict:
        return {"fingerprint": record[:32].hex(), "ephemeral_public_key": record[32:97].hex(),
                "wrapped_key": record[97:].hex()}


SUITES: dict[int, Suite] = {1: P256Suite()}
DEFAULT_SUITE: Suite = SUITES[1]
