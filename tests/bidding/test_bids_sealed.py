"""THE sealed test (DESIGN §4 invariant 1): someone holding the whole database and every key the platform
holds (SECRET_KEY, PLATFORM_SIGNING_KEY, EXPERT_ID_KEY) cannot recover a bid's price before opening; the
bidder's own private key can."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.apps import apps
from django.conf import settings

from bidding.models import Bid
from ebid import EnvelopeError, read_header, read_summary, unwrap_data_key
from tests.bidding.conftest import submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "bid_dirs")]

PRICE = "8765432.10"
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def database_dump() -> bytes:
    """Every row of every table, every column, as text."""
    lines = []
    for model in apps.get_models():
        for row in model._base_manager.all().values_list():
            lines.append(repr(row))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def stored_files() -> bytes:
    blobs = []
    for root in (Path(settings.MEDIA_ROOT), Path(settings.BID_UPLOAD_DIR)):
        if root.exists():
            blobs += [p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()]
    return b"".join(blobs)


def platform_key_material() -> list[bytes]:
    """Every secret the platform holds, in every form one might try it in."""
    signing = serialization.load_pem_private_key(settings.PLATFORM_SIGNING_KEY.encode(), password=None)
    raw_signing = signing.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    candidates = [settings.SECRET_KEY.encode(), settings.EXPERT_ID_KEY.encode(), raw_signing,
                  settings.PLATFORM_SIGNING_KEY.encode()]
    try:
        candidates.append(base64.b64decode(settings.EXPERT_ID_KEY))
    except ValueError:
        pass
    return candidates


def as_data_keys(material: bytes) -> list[bytes]:
    keys = [hashlib.sha256(material).digest(), material[:32].ljust(32, b"\0")]
    return [k for k in keys if len(k) == 32]


def as_p256_key(material: bytes) -> ec.EllipticCurvePrivateKey:
    scalar = int.from_bytes(hashlib.sha256(material).digest() + material, "big") % (P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def test_the_database_and_the_platform_keys_do_not_recover_a_price(open_tender, sealer):
    lot = open_tender.lots.get()
    bid = submit(sealer.actor, lot, sealer.seal(lot, price=PRICE))
    envelope = Bid.objects.get(pk=bid.pk).envelope.read()
    dump = database_dump() + stored_files()

    # the price appears nowhere in the clear: not in any row, not in any stored file
    assert PRICE.encode() not in dump and PRICE.encode("utf-16-le") not in dump
    assert b"8765432" not in dump

    header = read_header(io.BytesIO(envelope))
    failures = 0
    for material in platform_key_material():
        # each platform secret tried as the recipient's private key
        with pytest.raises(EnvelopeError):
            unwrap_data_key(header, as_p256_key(material))
        failures += 1
        # and directly as the data key
        for data_key in as_data_keys(material):
            stream = io.BytesIO(envelope)
            read_header(stream)
            with pytest.raises(EnvelopeError):
                read_summary(stream, header, data_key)
            failures += 1
    assert failures >= 10

    # while the bidder's own private key opens it and reads the price
    data_key = unwrap_data_key(header, sealer.private_key)
    stream = io.BytesIO(envelope)
    read_header(stream)
    _raw, summary = read_summary(stream, header, data_key)
    assert summary["price"] == PRICE
