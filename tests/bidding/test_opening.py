"""The opening hall: the deadline opens it, the minimum-bids rule, decryption by released data keys, the
backup fallback, failures per art. 31, the readout, confirmations and objections, closing."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bidding.hall import hall_state
from bidding.models import Bid, Objection, OpenedBid, Opening, Tender
from bidding.services import opening as svc
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from ebid import read_header, seal, unwrap_data_key
from tests.bidding.conftest import make_sealer, submit
from tests.factories import actor_of
from witness.models import Event

pytestmark = pytest.mark.django_db


class Bidder:
    """A bidder that seals with ebid, keeps its salts and files, and can unwrap its own data key."""

    def __init__(self, price: str, files=(("技术标.pdf", b"%PDF-1.7 technical " * 30),)):
        self.sealer = make_sealer(actor_of("bidder"))
        self.actor = self.sealer.actor
        self.price, self.files = price, files

    def submit(self, lot):
        out = io.BytesIO()
        self.summary = {"bidder": self.actor.organisation.name, "price": self.price, "duration_days": 180}
        result = seal(binding=self.sealer.binding(lot), summary=self.summary,
                      files=[(n, io.BytesIO(d)) for n, d in self.files],
                      recipients=[self.sealer.private_key.public_key()], out=out, chunk_size=256)
        self.envelope, self.salts = out.getvalue(), result.salts_document()
        self.bid = submit(self.actor, lot, self.envelope)
        return self.bid

    def data_key(self) -> bytes:
        return unwrap_data_key(read_header(io.BytesIO(self.envelope)), self.sealer.private_key)

    def backup_parts(self) -> dict:
        summary = json.dumps(self.summary, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        parts = {"summary.json": SimpleUploadedFile("summary.json", summary)}
        for name, data in self.files:
            parts[name] = SimpleUploadedFile(name, data)
        return parts


@pytest.fixture
def lot(open_tender, bid_dirs):
    return open_tender.lots.get()


@pytest.fixture
def bidders(lot):
    people = [Bidder("1180000.00"), Bidder("1234567.89"), Bidder("1099999.50")]
    for b in people:
        b.submit(lot)
    return people


@pytest.fixture
def after_deadline(lot, clock_at):
    return lambda extra=timedelta(seconds=1): clock_at(lot.tender.bid_deadline + extra)


@pytest.fixture
def decrypting(lot, bidders, after_deadline, agency):
    after_deadline()
    return svc.decryption_start(actor=agency, lot_id=lot.pk)


def actions(tender_id):
    return list(Event.objects.filter(tender_id=tender_id).order_by("seq").values_list("action", flat=True))


def test_before_the_deadline_there_is_no_hall_and_no_list_of_bidders(lot, bidders, agency):
    with pytest.raises(IllegalTransition) as caught:
        svc.opening_for(actor=agency, lot_id=lot.pk)
    assert caught.value.code == "not_yet"
    assert not Opening.objects.exists()


def test_the_deadline_opens_the_hall_on_first_access_and_lists_the_bids(lot, bidders, after_deadline, regulator):
    after_deadline()
    opening = svc.opening_for(actor=regulator, lot_id=lot.pk)
    lot.tender.refresh_from_db()
    assert lot.tender.status == "opening"
    assert opening.status == "waiting"
    state = hall_state(opening)
    assert [b["bidder"] for b in state["bids"]] == [b.actor.organisation.name for b in bidders]
    assert state["readout"] is None and state["counts"] == {"listed": 3, "opened": 0, "sealed": 3, "failed": 0}
    assert actions(lot.tender_id)[-2:] == ["tender.opening_started", "opening.began"]


def test_the_beat_task_opens_it_too_and_repeats_harmlessly(lot, bidders, after_deadline):
    after_deadline()
    assert svc.openings_advance() == 1
    svc.openings_advance()
    assert Opening.objects.count() == 1 and OpenedBid.objects.count() == 3


def test_fewer_bids_than_the_minimum_fail_the_lot_and_say_why(lot, after_deadline, regulator, english):
    Bidder("1000000.00").submit(lot)
    Bidder("1000001.00").submit(lot)
    after_deadline()
    opening = svc.opening_for(actor=regulator, lot_id=lot.pk)
    assert opening.status == "failed"
    # Recorded in the platform's language (zh-hans), whoever's visit opened the hall.
    assert "仅收到 2 份" in opening.failure_reason and "至少需要 3 份" in opening.failure_reason
    assert Tender.objects.get(pk=lot.tender_id).status == "failed"
    # A failed opening is public: anyone may read why.
    from core.actor import Actor

    anonymous = Actor(user=None, organisation=None, role="anonymous")
    assert svc.opening_for(actor=anonymous, lot_id=lot.pk).failure_reason == opening.failure_reason


def test_the_minimum_is_a_per_method_setting(lot, after_deadline, regulator, settings):
    settings.OPENING_MIN_BIDS = {"default": 3, lot.tender.method: 2}
    Bidder("1000000.00").submit(lot)
    Bidder("1000001.00").submit(lot)
    after_deadline()
    assert svc.opening_for(actor=regulator, lot_id=lot.pk).status == "waiting"


def test_keys_are_refused_before_the_host_starts(lot, bidders, after_deadline):
    after_deadline()
    with pytest.raises(IllegalTransition) as caught:
        svc.key_release(actor=bidders[0].actor, lot_id=lot.pk, data_key=bidders[0].data_key())
    assert caught.value.code == "not_started"


def test_only_the_host_starts_decryption_once(lot, bidders, after_deadline, agency, tenderer, centre, english):
    after_deadline()
    for outsider in (tenderer, centre, bidders[0].actor):
        with pytest.raises(PermissionDenied):
            svc.decryption_start(actor=outsider, lot_id=lot.pk)
    opening = svc.decryption_start(actor=agency, lot_id=lot.pk)
    assert opening.decryption_ends_at - opening.decryption_started_at == timedelta(
        minutes=lot.tender.decryption_window_minutes)
    with pytest.raises(IllegalTransition):
        svc.decryption_start(actor=agency, lot_id=lot.pk)


def test_a_released_key_is_verified_and_nothing_is_read_out_until_all_are_in(lot, bidders, decrypting, tenderer):
    opened = svc.key_release(actor=bidders[0].actor, lot_id=lot.pk, data_key=bidders[0].data_key())
    assert opened.status == "decrypted" and opened.summary["price"] == "1180000.00"
    state = hall_state(Opening.objects.get())
    assert state["readout"] is None, "no summary may be shown before the readout"
    assert "1180000.00" not in json.dumps(state)
    event = Event.objects.filter(action="opening.key_released").get()
    assert "1180000" not in json.dumps(event.data), "the ledger holds only the summary's hash before the readout"
    # The kept key is under the platform KEK, and opens the bid again.
    assert bytes(opened.wrapped_key) != bidders[0].data_key()
    assert svc.data_key_of(OpenedBid.objects.get(pk=opened.pk)) == bidders[0].data_key()


def test_when_the_last_key_is_in_all_summaries_are_read_out_at_once(lot, bidders, decrypting):
    for b in bidders:
        svc.key_release(actor=b.actor, lot_id=lot.pk, data_key=b.data_key())
    opening = Opening.objects.get()
    assert opening.status == "confirming" and opening.readout_at is not None
    state = hall_state(opening)
    assert [r["price"] for r in state["readout"]] == ["1180000.00", "1234567.89", "1099999.50"]
    assert state["lot"]["ceiling_price"] == f"{lot.ceiling_price:.2f}"
    readout = Event.objects.get(action="opening.read_out")
    assert [r["summary"]["price"] for r in readout.data["readout"]] == ["1180000.00", "1234567.89", "1099999.50"]


def test_a_wrong_key_is_counted_recorded_and_the_bid_stays_sealed(lot, bidders, decrypting, english):
    with pytest.raises(DomainError) as caught:
        svc.key_release(actor=bidders[0].actor, lot_id=lot.pk, data_key=bidders[1].data_key())
    assert caught.value.code == "wrong_key" and "attempt 1" in str(caught.value)
    opened = OpenedBid.objects.get(bid=bidders[0].bid)
    assert opened.status == "sealed" and opened.wrong_keys == 1 and opened.summary is None
    assert Event.objects.filter(action="opening.wrong_key").count() == 1
    # The right key still works afterwards.
    assert svc.key_release(actor=bidders[0].actor, lot_id=lot.pk, data_key=bidders[0].data_key()).status == "decrypted"


def test_a_second_release_and_a_malformed_key_are_refused(lot, bidders, decrypting):
    svc.key_release(actor=bidders[0].actor, lot_id=lot.pk, data_key=bidders[0].data_key())
    with pytest.raises(IllegalTransition) as caught:
        svc.key_release(actor=bidders[0].actor, lot_id=lot.pk, data_key=bidders[0].data_key())
    assert caught.value.code == "already_released"
    with pytest.raises(DomainError):
        svc.key_release(actor=bidders[1].actor, lot_id=lot.pk, data_key=b"short")


def test_nobody_but_the_listed_bidder_releases_its_key(lot, bidders, decrypting, agency):
    stranger = make_sealer(actor_of("bidder")).actor
    for actor in (agency, stranger):
        with pytest.raises((PermissionDenied, NotFound)):
            svc.key_release(actor=actor, lot_id=lot.pk, data_key=bidders[0].data_key())


def test_the_backup_matching_its_commitments_opens_the_bid(lot, bidders, decrypting):
    b = bidders[1]
    opened = svc.backup_submit(actor=b.actor, lot_id=lot.pk, salts=b.salts, parts=b.backup_parts())
    assert opened.status == "backup" and opened.summary["price"] == "1234567.89"
    assert Event.objects.filter(action="opening.backup_accepted").count() == 1


def test_a_backup_that_differs_from_what_was_sealed_is_refused_and_recorded(lot, bidders, decrypting, english):
    b = bidders[1]
    parts = b.backup_parts()
    altered = json.dumps({**b.summary, "price": "999.00"}, ensure_ascii=False, sort_keys=True,
                         separators=(",", ":")).encode()
    parts["summary.json"] = SimpleUploadedFile("summary.json", altered)
    with pytest.raises(DomainError) as caught:
        svc.backup_submit(actor=b.actor, lot_id=lot.pk, salts=b.salts, parts=parts)
    assert caught.value.code == "backup_mismatch"
    assert OpenedBid.objects.get(bid=b.bid).status == "sealed"
    assert Event.objects.filter(action="opening.backup_refused").count() == 1
    missing = b.backup_parts()
    del missing["技术标.pdf"]
    with pytest.raises(DomainError, match="missing"):
        svc.backup_submit(actor=b.actor, lot_id=lot.pk, salts=b.salts, parts=missing)


def test_after_the_window_undecrypted_bids_fail_as_revoked_and_the_rest_are_read_out(
        lot, bidders, decrypting, clock_at, english):
    svc.key_release(actor=bidders[0].actor, lot_id=lot.pk, data_key=bidders[0].data_key())
    svc.key_release(actor=bidders[2].actor, lot_id=lot.pk, data_key=bidders[2].data_key())
    clock_at(decrypting.decryption_ends_at)
    with pytest.raises(IllegalTransition) as caught:
        svc.key_release(actor=bidders[1].actor, lot_id=lot.pk, data_key=bidders[1].data_key())
    assert caught.value.code == "window_closed" and "server time" in str(caught.value)
    opening = Opening.objects.get()
    assert opening.status == "confirming"
    failed = OpenedBid.objects.get(bid=bidders[1].bid)
    assert failed.status == "revoked" and "第三十一条" in failed.failure_cause
    assert [r["bidder"] for r in hall_state(opening)["readout"]] == [
        bidders[0].actor.organisation.name, bidders[2].actor.organisation.name]


def test_the_centre_records_a_platform_fault_as_withdrawn(lot, bidders, decrypting, clock_at, centre, agency):
    clock_at(decrypting.decryption_ends_at + timedelta(seconds=1))
    svc.hall_advance(lot.tender_id)
    with pytest.raises(PermissionDenied):
        svc.failure_reclassify(actor=agency, bid_id=bidders[0].bid.pk, reason="outage")
    with pytest.raises(DomainError):
        svc.failure_reclassify(actor=centre, bid_id=bidders[0].bid.pk, reason="  ")
    opened = svc.failure_reclassify(actor=centre, bid_id=bidders[0].bid.pk, reason="存储节点故障 10:02–10:20")
    assert opened.status == "withdrawn" and "存储节点故障" in opened.failure_cause


def _read_out(lot, bidders):
    for b in bidders:
        svc.key_release(actor=b.actor, lot_id=lot.pk, data_key=b.data_key())
    return Opening.objects.get()


def test_confirmations_close_the_opening_once_everyone_answered(lot, bidders, decrypting, django_capture_on_commit_callbacks):
    _read_out(lot, bidders)
    svc.readout_respond(actor=bidders[0].actor, lot_id=lot.pk)
    svc.readout_respond(actor=bidders[1].actor, lot_id=lot.pk)
    assert Opening.objects.get().status == "confirming"
    svc.readout_respond(actor=bidders[2].actor, lot_id=lot.pk)
    assert Opening.objects.get().status == "closed"
    assert Tender.objects.get(pk=lot.tender_id).status == "opened"


def test_an_unanswered_objection_keeps_the_record_open_past_the_window(lot, bidders, decrypting, clock_at, agency,
                                                                      bidder, english):
    opening = _read_out(lot, bidders)
    svc.readout_respond(actor=bidders[0].actor, lot_id=lot.pk, objection="第2名的工期应为 150 天，唱标有误。")
    with pytest.raises(IllegalTransition) as caught:
        svc.readout_respond(actor=bidders[0].actor, lot_id=lot.pk)
    assert caught.value.code == "already_responded"
    clock_at(opening.confirm_ends_at + timedelta(minutes=5))
    svc.hall_advance(lot.tender_id)
    assert Opening.objects.get().status == "confirming"
    with pytest.raises(IllegalTransition) as caught:
        svc.readout_respond(actor=bidders[1].actor, lot_id=lot.pk)
    assert caught.value.code == "window_closed"
    objection = Objection.objects.get()
    with pytest.raises(PermissionDenied):
        svc.objection_answer(actor=bidders[1].actor, objection_id=objection.pk, answer="no")
    with pytest.raises(DomainError):
        svc.objection_answer(actor=agency, objection_id=objection.pk, answer="")
    svc.objection_answer(actor=agency, objection_id=objection.pk, answer="经核对投标文件，工期为 180 天，唱标无误。")
    opening = Opening.objects.get()
    assert opening.status == "closed"
    responses = Event.objects.get(action="opening.closed").data["responses"]
    assert responses == {str(bidders[0].bid.pk): "objected", str(bidders[1].bid.pk): "accepted",
                         str(bidders[2].bid.pk): "accepted"}
    with pytest.raises(IllegalTransition):
        svc.objection_answer(actor=agency, objection_id=objection.pk, answer="again")


def test_who_may_watch_the_hall(lot, bidders, after_deadline, agency, tenderer, regulator, centre):
    after_deadline()
    for actor in (agency, tenderer, regulator, centre, bidders[0].actor):
        assert svc.opening_for(actor=actor, lot_id=lot.pk)
    stranger = actor_of("bidder")
    expert = actor_of("agency")  # another agency, not the host
    for actor in (stranger, expert):
        with pytest.raises(NotFound):
            svc.opening_for(actor=actor, lot_id=lot.pk)


def test_the_ledger_tells_the_whole_opening_in_order(lot, bidders, decrypting):
    _read_out(lot, bidders)
    for b in bidders:
        svc.readout_respond(actor=b.actor, lot_id=lot.pk)
    seen = [a for a in actions(lot.tender_id) if a.startswith(("opening.", "tender.open"))]
    assert seen == ["tender.opening_started", "opening.began", "opening.decryption_started",
                    "opening.key_released", "opening.key_released", "opening.key_released", "opening.read_out",
                    "opening.readout_confirmed", "opening.readout_confirmed", "opening.readout_confirmed",
                    "opening.closed", "tender.opened"]
    assert hashlib.sha256(bidders[0].envelope).hexdigest() == Bid.objects.get(pk=bidders[0].bid.pk).sha256
