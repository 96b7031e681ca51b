"""Sealed bid submission: resumable upload, keyless envelope checks, replace, withdraw, refusals that change
nothing (DESIGN §4 invariants 2, 4, 7, 8)."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from accounts.models import Organisation, PublicKey
from accounts.services import key_revoke
from bidding.models import Bid, BidStatus, BidUpload
from bidding.receipts import public_key_pem
from bidding.services.bids import (
    at,
    bid_upload_chunk,
    bid_upload_finish,
    bid_upload_start,
    bid_withdraw,
)
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from ebid.keys import fingerprint
from ebid.receipt import verify_receipt
from tests.bidding.conftest import make_sealer, submit
from tests.factories import actor_of
from witness.models import Event
from witness.verify import chain_verify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "bid_dirs")]


def counts():
    return Bid.objects.count(), BidUpload.objects.count(), Event.objects.count()


def start(sealer, lot, envelope, key="k-1"):
    return bid_upload_start(actor=sealer.actor, lot_id=lot.pk, size=len(envelope),
                            sha256=hashlib.sha256(envelope).hexdigest(), idempotency_key=key)


def test_a_sealed_bid_uploaded_in_chunks_gets_a_receipt_that_verifies_offline(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    # when it is uploaded in several chunks and finished
    bid = submit(sealer.actor, lot, envelope, chunk=700)
    # then it is a bid, stored byte for byte, with a receipt the platform's public key verifies
    assert bid.status == BidStatus.SUBMITTED and bid.size == len(envelope)
    assert bid.envelope.read() == envelope
    receipt = verify_receipt(bid.receipt_document(), load_pem_public_key(public_key_pem().encode()),
                             envelope=io.BytesIO(envelope))
    assert receipt["bid"]["id"] == bid.pk and receipt["lot"]["id"] == lot.pk
    assert receipt["envelope"]["sha256"] == hashlib.sha256(envelope).hexdigest()
    event = Event.objects.get(action="bid.submitted")
    assert event.data["sha256"] == bid.sha256 and event.data["size"] == bid.size and event.tender_id == lot.tender_id
    assert chain_verify().ok


def test_a_dropped_chunk_resumes_from_the_bytes_received(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(sealer, lot, envelope)
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope[:500])
    # when the next chunk is lost and the client sends the one after it
    with pytest.raises(DomainError) as refused:
        bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=1000, data=envelope[1000:1500])
    assert refused.value.code == "offset_mismatch" and "starts at byte 500" in refused.value.fields["offset"][0]
    # then it resumes from byte 500 (as the upload row says) and finishes
    assert BidUpload.objects.get(pk=upload.pk).received == 500
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=500, data=envelope[500:])
    assert bid_upload_finish(actor=sealer.actor, upload_id=upload.pk).envelope.read() == envelope


def test_retried_start_chunk_and_finish_never_make_a_second_bid(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(sealer, lot, envelope, key="retry-me")
    assert start(sealer, lot, envelope, key="retry-me").pk == upload.pk
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope[:600])
    # a retried chunk (the answer was lost) is acknowledged without writing twice
    assert bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope[:600]).received == 600
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=300, data=envelope[300:])
    first = bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
    before = counts()
    again = bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
    assert again.pk == first.pk and again.receipt_document() == first.receipt_document()
    assert counts() == before
    # the same key for a different envelope is refused
    with pytest.raises(DomainError) as refused:
        start(sealer, lot, envelope + b"x", key="retry-me")
    assert refused.value.code == "idempotency_conflict"


def test_a_retried_chunk_with_other_bytes_is_refused(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(sealer, lot, envelope)
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope[:600])
    with pytest.raises(DomainError) as refused:
        bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=b"\0" * 600)
    assert refused.value.code == "chunk_conflict"
    assert BidUpload.objects.get(pk=upload.pk).received == 600


def test_a_new_envelope_replaces_the_earlier_bid(open_tender, sealer):
    lot = open_tender.lots.get()
    first = submit(sealer.actor, lot, sealer.seal(lot, price="1000000.00"))
    second = submit(sealer.actor, lot, sealer.seal(lot, price="990000.00"))
    first.refresh_from_db()
    assert first.status == BidStatus.REPLACED and second.status == BidStatus.SUBMITTED
    assert Event.objects.get(action="bid.submitted", subject_id=str(second.pk)).data["replaced"] == [first.pk]


def test_a_bid_is_withdrawn_before_the_deadline_once(open_tender, sealer):
    lot = open_tender.lots.get()
    bid = submit(sealer.actor, lot, sealer.seal(lot))
    assert bid_withdraw(actor=sealer.actor, bid_id=bid.pk).status == BidStatus.WITHDRAWN
    assert Event.objects.filter(action="bid.withdrawn").count() == 1
    before = counts()
    with pytest.raises(IllegalTransition):
        bid_withdraw(actor=sealer.actor, bid_id=bid.pk)
    other = actor_of("bidder")
    with pytest.raises(NotFound):
        bid_withdraw(actor=other, bid_id=bid.pk)
    assert counts() == before


def test_an_envelope_for_a_revoked_key_is_refused(open_tender, sealer):
    lot = open_tender.lots.get()
    backup = make_sealer(sealer.actor)  # a second key of the same organisation
    envelope = sealer.seal(lot, recipients=[sealer.private_key.public_key(), backup.private_key.public_key()])
    key_revoke(actor=sealer.actor, key=PublicKey.objects.get(fingerprint=fingerprint(backup.private_key.public_key())),
               reason="lost")
    upload = start(sealer, lot, envelope)
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope)
    before = counts()
    with pytest.raises(DomainError) as refused:
        bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
    assert refused.value.code == "envelope_rebound" and "registered sealing keys" in str(refused.value)
    assert counts() == before


@pytest.mark.parametrize("where", ["lot", "bidder", "unknown key"])
def test_an_envelope_bound_elsewhere_is_refused(open_tender, sealer, where):
    tender = open_tender
    lot = tender.lots.get()
    if where == "lot":
        envelope = sealer.seal(lot, binding=sealer.binding(lot).__class__(
            **{**sealer.binding(lot).__dict__, "lot_id": lot.pk + 1000}))
    elif where == "bidder":
        other = Organisation.objects.exclude(pk=sealer.actor.organisation.pk).filter(kind="agency").first()
        envelope = sealer.seal(lot, binding=sealer.binding(lot, organisation=other))
    else:
        envelope = sealer.seal(lot, recipients=[ec.generate_private_key(ec.SECP256R1()).public_key()])
    upload = start(sealer, lot, envelope)
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope)
    before = counts()
    with pytest.raises(DomainError) as refused:
        bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
    assert refused.value.code == "envelope_rebound"
    assert counts() == before


@pytest.mark.parametrize("damage, code", [
    (lambda e: b"NOTSEAL!" + e[8:], "envelope_malformed"),
    (lambda e: e[:-40], "envelope_truncated"),
    (lambda e: e + b"extra", "envelope_tampered"),
])
def test_malformed_and_truncated_envelopes_are_refused(open_tender, sealer, damage, code, settings):
    lot = open_tender.lots.get()
    envelope = damage(sealer.seal(lot))
    upload = start(sealer, lot, envelope)
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope)
    before = counts()
    with pytest.raises(DomainError) as refused:
        bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
    assert refused.value.code == code
    assert counts() == before
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.ebid"))


def test_an_incomplete_upload_is_not_a_bid(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(sealer, lot, envelope)
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope[:100])
    with pytest.raises(DomainError) as refused:
        bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
    assert refused.value.code == "incomplete" and "starting at byte 100" in str(refused.value)
    assert not Bid.objects.exists()


def test_oversize_is_refused_at_start(open_tender, sealer, settings):
    settings.BID_ENVELOPE_MAX_BYTES = 1000
    lot = open_tender.lots.get()
    before = counts()
    with pytest.raises(DomainError) as refused:
        bid_upload_start(actor=sealer.actor, lot_id=lot.pk, size=1001, sha256="0" * 64, idempotency_key="big")
    assert "the limit is 1000 bytes" in refused.value.fields["size"][0]
    assert counts() == before


@pytest.mark.parametrize("kind, status", [("bidder", Organisation.Status.PENDING),
                                          ("bidder", Organisation.Status.REJECTED),
                                          ("agency", Organisation.Status.APPROVED),
                                          ("centre", Organisation.Status.APPROVED)])
def test_only_an_approved_bidder_may_start(open_tender, kind, status):
    actor = actor_of(kind, status=status)
    before = counts()
    with pytest.raises(PermissionDenied):
        bid_upload_start(actor=actor, lot_id=open_tender.lots.get().pk, size=10, sha256="0" * 64,
                         idempotency_key="x")
    assert counts() == before


def test_another_organisation_cannot_touch_an_upload(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(sealer, lot, envelope)
    other = make_sealer(actor_of("bidder"))
    before = counts()
    with pytest.raises(NotFound):
        bid_upload_chunk(actor=other.actor, upload_id=upload.pk, offset=0, data=envelope)
    with pytest.raises(NotFound):
        bid_upload_finish(actor=other.actor, upload_id=upload.pk)
    assert counts() == before and BidUpload.objects.get(pk=upload.pk).received == 0


def test_a_late_finish_is_refused_with_the_deadline_and_server_time_and_recorded(open_tender, sealer, clock_at):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(sealer, lot, envelope)
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope)
    now = clock_at(open_tender.bid_deadline + timedelta(seconds=1))
    with pytest.raises(IllegalTransition) as refused:
        bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
    assert at(open_tender.bid_deadline) in str(refused.value) and at(now) in str(refused.value)
    assert not Bid.objects.exists()
    event = Event.objects.get(action="bid.refused_late")
    assert event.data["attempt"] == "submit" and event.data["sha256"] == upload.declared_sha256
    # and no chunk, start or withdrawal is taken after the deadline either
    with pytest.raises(IllegalTransition):
        bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope[:10])
    with pytest.raises(IllegalTransition):
        start(sealer, lot, envelope, key="after")


def test_a_withdrawal_after_the_deadline_is_refused(open_tender, sealer, clock_at):
    lot = open_tender.lots.get()
    bid = submit(sealer.actor, lot, sealer.seal(lot))
    clock_at(open_tender.bid_deadline)
    with pytest.raises(IllegalTransition) as refused:
        bid_withdraw(actor=sealer.actor, bid_id=bid.pk)
    assert refused.value.code == "deadline_passed"
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED
    assert Event.objects.get(action="bid.refused_late").data["attempt"] == "withdraw"


def test_partial_files_of_uploads_that_can_no_longer_finish_are_removed(open_tender, sealer, clock_at):
    from bidding.services.bids import bid_uploads_clean
    from bidding.services.envelopes import partial_file

    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(sealer, lot, envelope)
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope[:100])
    assert bid_uploads_clean() == 0 and partial_file(upload.partial_path).exists()
    clock_at(open_tender.bid_deadline)
    assert bid_uploads_clean() == 1
    assert not partial_file(upload.partial_path).exists() and BidUpload.objects.filter(pk=upload.pk).exists()
