"""Parsing registered public keys. Only public halves are accepted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.utils.translation import gettext as _

from core.errors import DomainError


@dataclass(frozen=True)
class ParsedKey:
    algorithm: str
    pem: str
    fingerprint: str


def fingerprint_of(public_key) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def parse_public_key(text: str, *, purpose: str) -> ParsedKey:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Paste the public key in PEM form (it begins with “-----BEGIN PUBLIC KEY-----”)."),
                          field="public_key_pem")
    if "PRIVATE KEY" in text:
        raise DomainError(
            _("This is a private key. Never upload a private key: keep it on your own computer and upload only "
              "the public key (“-----BEGIN PUBLIC KEY-----”). If this private key was shared, make a new key pair."),
            field="public_key_pem", code="private_key")
    try:
        key = serialization.load_pem_public_key(text.encode("ascii", errors="strict"))
    except (ValueError, UnicodeEncodeError, TypeError):
        raise DomainError(_("This is not a readable PEM public key. Paste the whole key, including the BEGIN and "
                            "END lines."), field="public_key_pem")
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        algorithm = "EC-P256"
    elif isinstance(key, ed25519.Ed25519PublicKey):
        algorithm = "Ed25519"
    elif isinstance(key, rsa.RSAPublicKey):
        algorithm = f"RSA-{key.key_size}"
    else:
        algorithm = type(key).__name__
    if purpose == "sealing" and algorithm != "EC-P256":
        raise DomainError(_("A sealing key must be an elliptic-curve P-256 key (the bid envelope wraps its data key "
                            "with ECDH P-256); this key is %(alg)s.") % {"alg": algorithm}, field="public_key_pem")
    if purpose == "signing" and algorithm not in {"EC-P256", "Ed25519"} and not (
        algorithm.startswith("RSA-") and key.key_size >= 2048
    ):
        raise DomainError(_("A signing key must be EC P-256, Ed25519 or RSA of at least 2048 bits; this key is "
                            "%(alg)s.") % {"alg": algorithm}, field="public_key_pem")
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return ParsedKey(algorithm=algorithm, pem=pem, fingerprint=fingerprint_of(key))
