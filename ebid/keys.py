"""Sealing key pairs: generated and kept by the bidder, the private half encrypted with a passphrase."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ebid.errors import KeyFileError


def fingerprint_bytes(public_key) -> bytes:
    """SHA-256 of the DER SubjectPublicKeyInfo: the platform's key fingerprint (accounts/keys.py)."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).digest()


def fingerprint(public_key) -> str:
    return fingerprint_bytes(public_key).hex()


def keygen(passphrase: bytes) -> tuple[bytes, bytes]:
    """A fresh P-256 pair: (encrypted PKCS#8 private PEM, public SPKI PEM to register on the platform).

    An empty passphrase is refused: the private key is what opens the bid, and a file copied off a
    laptop must not be enough.
    """
    if not passphrase:
        raise KeyFileError("a passphrase is required to protect the private key")
    private = ec.generate_private_key(ec.SECP256R1())
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.BestAvailableEncryption(passphrase))
    return private_pem, public_pem(private.public_key())


def public_pem(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private_key(pem: bytes, passphrase: bytes | None) -> ec.EllipticCurvePrivateKey:
    if b"PRIVATE KEY" not in pem:
        raise KeyFileError("this is not a private key file (it has no “PRIVATE KEY” block)")
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase or None)
    except TypeError:
        raise KeyFileError("this private key is protected by a passphrase; give it") from None
    except ValueError:
        raise KeyFileError("the private key cannot be opened: wrong passphrase or a damaged file") from None
    if not (isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1)):
        raise KeyFileError("a sealing key is an elliptic-curve P-256 key; this one is not")
    return key


def load_public_key(pem: bytes) -> ec.EllipticCurvePublicKey:
    if b"PRIVATE KEY" in pem:
        raise KeyFileError("this is a private key; a recipient is given by its public key")
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        raise KeyFileError("this is not a readable PEM public key") from None
    if not (isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)):
        raise KeyFileError("a sealing key is an elliptic-curve P-256 key; this one is not")
    return key
