"""The platform's receipt signing key (settings.PLATFORM_SIGNING_KEY) and its published public half.

Receipts follow docs/sealing.md §8 and are signed by ebid.receipt.sign_receipt, so a bidder checks them
offline with `ebid verify-receipt --platform-key` and the PEM published at /tenders/receipt-key.pem."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from django.conf import settings

from ebid.keys import fingerprint
from ebid.receipt import RECEIPT_FORMAT, sign_receipt


@lru_cache(maxsize=4)
def _load(pem: str):
    return serialization.load_pem_private_key(pem.encode("ascii"), password=None)


def signing_key():
    return _load(settings.PLATFORM_SIGNING_KEY)


def public_key_pem() -> str:
    return signing_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def public_key_info() -> dict:
    """What the platform publishes: the PEM, its fingerprint (as receipts name it) and the algorithm."""
    public = signing_key().public_key()
    algorithm = "Ed25519" if public.__class__.__name__.startswith("Ed25519") else "ES256"
    return {"algorithm": algorithm, "fingerprint": fingerprint(public), "public_key_pem": public_key_pem()}


def utc_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def receipt_for(bid) -> dict:
    """The signed receipt document for a stored bid (its lot, tender and bidder loaded)."""
    lot, tender, bidder = bid.lot, bid.lot.tender, bid.bidder
    receipt = {"format": RECEIPT_FORMAT, "received_at": utc_timestamp(bid.received_at), "bid": {"id": bid.pk},
               "tender": {"id": tender.pk, "reference": tender.reference}, "lot": {"id": lot.pk},
               "bidder": {"id": bidder.pk, "credit_code": bidder.credit_code},
               "envelope": {"sha256": bid.sha256, "size": bid.size}}
    return sign_receipt(receipt, signing_key())
