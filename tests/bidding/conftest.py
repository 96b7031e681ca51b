"""Fixtures for sealed-bid submission: an open tender, a bidder with a registered sealing key, sealing
with the `ebid` package exactly as a bidder's machine does."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import translation

from accounts.services import key_register
from bidding.services import tender_review, tender_submit
from bidding.services.bids import bid_upload_chunk, bid_upload_finish, bid_upload_start
from core import clock
from core.actor import Actor
from ebid import Binding, seal
from ebid.keys import public_pem
from tests.factories import actor_of, make_tender

PRICE = "1234567.89"


@pytest.fixture
def clock_at(monkeypatch):
    """Move the platform's clock (core.clock.now) to a given moment."""
    def move(when: datetime) -> datetime:
        monkeypatch.setattr(clock, "now", lambda: when)
        return when
    return move


@pytest.fixture
def bid_dirs(tmp_path, settings):
    settings.BID_UPLOAD_DIR = tmp_path / "bid-uploads"
    return settings


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def open_tender(agency, tenderer, centre, clock_at):
    """A published tender, open for bids (the clock frozen one hour after publication)."""
    now = clock_at(clock.now().replace(microsecond=0))
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, start=now - timedelta(hours=1))
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=centre, tender=tender, approve=True)
    tender.refresh_from_db()
    return tender


@dataclass
class Sealer:
    actor: Actor
    private_key: ec.EllipticCurvePrivateKey

    def binding(self, lot, *, organisation=None) -> Binding:
        org = organisation or self.actor.organisation
        return Binding(tender_id=lot.tender_id, tender_reference=lot.tender.reference, lot_id=lot.pk,
                       bidder_id=org.pk, bidder_credit_code=org.credit_code)

    def seal(self, lot, *, price: str = PRICE, files=(("技术标.pdf", b"%PDF-1.7 technical proposal " * 40),),
             recipients=None, binding: Binding | None = None) -> bytes:
        out = io.BytesIO()
        seal(binding=binding or self.binding(lot),
             summary={"bidder": self.actor.organisation.name, "price": price, "duration_days": 180},
             files=[(name, io.BytesIO(data)) for name, data in files],
             recipients=recipients or [self.private_key.public_key()], out=out, chunk_size=256)
        return out.getvalue()


def make_sealer(actor: Actor) -> Sealer:
    key = ec.generate_private_key(ec.SECP256R1())
    key_register(actor=actor, organisation=actor.organisation, purpose="sealing", label="main key",
                 pem=public_pem(key.public_key()).decode())
    return Sealer(actor=actor, private_key=key)


@pytest.fixture
def sealer(db):
    return make_sealer(actor_of("bidder"))


def submit(actor: Actor, lot, envelope: bytes, *, chunk: int = 1000, key: str | None = None):
    """Start, send every chunk, finish: what the submission page does."""
    upload = bid_upload_start(actor=actor, lot_id=lot.pk, size=len(envelope),
                              sha256=hashlib.sha256(envelope).hexdigest(), idempotency_key=key or uuid.uuid4().hex)
    for offset in range(0, len(envelope), chunk):
        bid_upload_chunk(actor=actor, upload_id=upload.pk, offset=offset, data=envelope[offset:offset + chunk])
    return bid_upload_finish(actor=actor, upload_id=upload.pk)
