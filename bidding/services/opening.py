"""The remote opening hall (不见面开标, DESIGN §6; RULES E5–E10, N1–N5): one Opening per lot.

    waiting ──host starts──▶ decrypting ──window ends or all opened──▶ confirming ──window ends, objections
       │                                                                           answered──▶ closed
       └── fewer bids than the minimum ──▶ failed (流标)

Time gates (the deadline, the end of each window) are checked by every act and every visit to the hall
against the server clock, inside the transaction that acts, with the opening's row locked (invariant 2):
`hall_advance` makes whatever is due happen, so nothing waits for the beat task, which only calls it too.

Key release: the bidder unwraps its data key on its own machine and sends it; the platform checks it by
decrypting the sealed summary, then keeps it encrypted under its key-encryption key (bidding.keyvault).
Summaries are published to the hall only at the readout, all at the same instant; until then the ledger
holds only their hashes."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from bidding import keyvault
from bidding.lifecycle import tender_transition
from bidding.models import (
    Bid,
    BidStatus,
    Lot,
    Objection,
    OpenedBid,
    OpenedBidStatus,
    Opening,
    OpeningStatus,
    Response,
    Tender,
)
from bidding.models import TenderStatus as S
from bidding.permissions import HallAction, hall_can
from core import clock
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from ebid import EnvelopeError, read_header, read_summary
from ebid.commitments import verify_commitment
from ebid.errors import CommitmentMismatch, Malformed
from witness.services import event_record
from witness.transitions import transition

HALL = Actor.system("opening-hall")

TRANSITIONS: dict[tuple[str, str], str] = {
    (OpeningStatus.WAITING, OpeningStatus.DECRYPTING): "opening.decryption_started",
    (OpeningStatus.WAITING, OpeningStatus.FAILED): "opening.failed",
    (OpeningStatus.DECRYPTING, OpeningStatus.CONFIRMING): "opening.read_out",
    (OpeningStatus.CONFIRMING, OpeningStatus.CLOSED): "opening.closed",
}



def _recorded(text_fn):
    """Texts stored in the record are written in the platform's language, whoever triggered the move."""
    with translation.override(settings.LANGUAGE_CODE):
        return text_fn()


def _bidder_fault() -> str:
    return _("No data key and no matching backup within the decryption window: the bidder's fault, treated as "
             "revoked (《电子招标投标办法》 art. 31).")


def min_bids(method: str) -> int:
    table = settings.OPENING_MIN_BIDS
    return int(table.get(method, table["default"]))


def _opening_move(actor: Actor, opening: Opening, to: str, *, changes: dict | None = None,
                  data: dict | None = None) -> Opening:
    return transition(
        actor=actor, instance=opening, to=to, table=TRANSITIONS, changes=changes, data=data,
        tender_id=lambda row: row.lot.tender_id,
        refusal=lambda row: _("The opening of this lot is %(status)s; it cannot become %(to)s.")
        % {"status": row.get_status_display(), "to": OpeningStatus(to).label})


def broadcast_after_commit(lot_ids) -> None:
    ids = sorted(set(lot_ids))
    if ids:
        from bidding.tasks import hall_broadcast

        transaction.on_commit(lambda: [hall_broadcast(i) for i in ids])


# --- advancing what is due -------------------------------------------------------------------------------


def _begin(tender: Tender, now: datetime) -> list[int]:
    """At the deadline: the tender is opening, each lot's received bids are listed (or it fails to open).

    Each lot row is locked before its bids are read, so a submission that took the lock before the deadline
    has committed and is listed, and one that comes after sees the tender opening and is refused."""
    tender_transition(actor=HALL, tender=tender, to=S.OPENING, data={"deadline": tender.bid_deadline,
                                                                   "server_time": now})
    touched = []
    needed = min_bids(tender.method)
    for lot in Lot.objects.select_for_update().filter(tender=tender).order_by("number"):
        bids = list(Bid.objects.filter(lot=lot, status=BidStatus.SUBMITTED).order_by("received_at", "pk"))
        opening = Opening.objects.create(lot=lot, began_at=now, min_bids=needed)
        OpenedBid.objects.bulk_create([OpenedBid(opening=opening, bid=b) for b in bids])
        event_record(actor=HALL, action="opening.began", subject=opening, tender_id=tender.pk,
                     data={"lot": lot.pk, "bids": [{"bid": b.pk, "bidder": b.bidder_id, "sha256": b.sha256}
                                                   for b in bids], "min_bids": needed})
        if len(bids) < needed:
            reason = _recorded(lambda: _(
                "Only %(n)d bid(s) were received by the deadline; at least %(min)d are needed, so lot %(lot)s cannot "
                "be opened (流标; 《招标投标法实施条例》 art. 44). The tenderer may tender it again.")
                % {"n": len(bids), "min": needed, "lot": lot.number})
            _opening_move(HALL, opening, OpeningStatus.FAILED, changes={"failure_reason": reason, "closed_at": now},
                          data={"bids": len(bids), "min_bids": needed})
        touched.append(lot.pk)
    return touched


def _read_out(opening: Opening, now: datetime) -> None:
    """End decryption: bids still sealed fail (bidder's fault), all opened summaries are published at once."""
    failed = []
    for opened in opening.bids.select_for_update().filter(status=OpenedBidStatus.SEALED):
        opened.status, opened.failure_cause = OpenedBidStatus.REVOKED, _recorded(_bidder_fault)
        opened.save(update_fields=["status", "failure_cause"])
        event_record(actor=HALL, action="opening.bid_failed", subject=opened.bid, tender_id=opening.lot.tender_id,
                     data={"bid": opened.bid_id, "status": opened.status, "cause": "bidder"})
        failed.append(opened.bid_id)
    readout = [{"bid": o.bid_id, "bidder": o.bid.bidder.name, "summary": o.summary, "status": o.status}
               for o in opening.bids.select_related("bid__bidder").order_by("bid__received_at", "pk")
               if o.is_open]
    _opening_move(HALL, opening, OpeningStatus.CONFIRMING, changes={
        "readout_at": now, "confirm_ends_at": now + timedelta(minutes=settings.OPENING_CONFIRM_WINDOW_MINUTES)},
        data={"readout": readout, "ceiling_price": opening.lot.ceiling_price, "failed": failed})


def _may_close(opening: Opening, now: datetime) -> bool:
    if opening.objections.filter(answered_at__isnull=True).exists():
        return False
    if now >= opening.confirm_ends_at:
        return True
    # Every bidder listed has answered: no reason to keep the hall waiting.
    return not opening.bids.filter(response=Response.NONE).exists()


def _close(opening: Opening, now: datetime) -> None:
    responses = {o.bid_id: o.response or "accepted" for o in opening.bids.all()}
    _opening_move(HALL, opening, OpeningStatus.CLOSED, changes={"closed_at": now}, data={"responses": responses})
    from bidding.tasks import opening_record_render

    opening_id = opening.pk
    transaction.on_commit(lambda: opening_record_render.delay(opening_id))


def _finish_tender(tender: Tender) -> None:
    states = set(Opening.objects.filter(lot__tender=tender).values_list("status", flat=True))
    if tender.lots.count() != Opening.objects.filter(lot__tender=tender).count():
        return
    if states <= {OpeningStatus.FAILED}:
        tender_transition(actor=HALL, tender=tender, to=S.FAILED, data={"reason": "every lot failed to open"})
    elif states <= {OpeningStatus.FAILED, OpeningStatus.CLOSED}:
        tender_transition(actor=HALL, tender=tender, to=S.OPENED)


def hall_advance(tender_id: int) -> Tender | None:
    """Make everything that is due at this tender's opening happen now; safe to call any number of times."""
    touched: list[int] = []
    with transaction.atomic():
        tender = Tender.objects.select_for_update().filter(pk=tender_id).first()
        if tender is None:
            return None
        now = clock.now()
        if tender.status == S.PUBLISHED and tender.is_public(now) and now >= tender.bid_deadline:
            touched += _begin(tender, now)
        if tender.status == S.OPENING:
            for opening in Opening.objects.select_for_update().select_related("lot").filter(lot__tender=tender):
                if opening.status == OpeningStatus.DECRYPTING and now >= opening.decryption_ends_at:
                    _read_out(opening, now)
                    touched.append(opening.lot_id)
                if opening.status == OpeningStatus.CONFIRMING and _may_close(opening, now):
                    _close(opening, now)
                    touched.append(opening.lot_id)
            if touched:
                _finish_tender(tender)
        broadcast_after_commit(touched)
    return tender


def openings_advance() -> int:
    """Beat task: advance every tender with something due. Returns how many tenders were looked at."""
    now = clock.now()
    due = set(Tender.objects.filter(status=S.PUBLISHED, published_at__lte=now, bid_deadline__lte=now)
              .values_list("pk", flat=True))
    due |= set(Opening.objects.filter(status=OpeningStatus.DECRYPTING, decryption_ends_at__lte=now)
               .values_list("lot__tender_id", flat=True))
    due |= set(Opening.objects.filter(status=OpeningStatus.CONFIRMING).values_list("lot__tender_id", flat=True))
    for tender_id in sorted(due):
        hall_advance(tender_id)
    return len(due)


# --- lookups -----------------------------------------------------------------------------------------------


def _nothing_due(opening: Opening | None, now: datetime) -> bool:
    """True when advancing could change nothing at this opening: it is decrypting inside its window (the
    commonest visit by far: every key release). Whatever acts on it re-checks the window under its lock."""
    return (opening is not None and opening.lot.tender.status == S.OPENING
            and opening.status == OpeningStatus.DECRYPTING and now < opening.decryption_ends_at)


def opening_for(*, actor: Actor, lot_id: int, action: HallAction = HallAction.WATCH) -> Opening:
    """The lot's opening after advancing it, if the actor may do `action` there; else NotFound / PermissionDenied."""
    opening = Opening.objects.select_related("lot__tender").filter(lot_id=lot_id).first()
    if not _nothing_due(opening, clock.now()):
        lot = opening.lot if opening is not None else Lot.objects.select_related("tender").filter(pk=lot_id).first()
        if lot is None:
            raise NotFound(_("No such lot."))
        hall_advance(lot.tender_id)
        opening = Opening.objects.select_related("lot__tender").filter(lot=lot).first()
        if opening is None:
            if not hall_can(actor, None, HallAction.WATCH, lot=lot):
                raise NotFound(_("No such lot, or its opening is not open to you."))
            raise IllegalTransition(_("The opening of this lot begins at the bid deadline, %(deadline)s.")
                                    % {"deadline": _at(lot.tender.bid_deadline)}, code="not_yet")
    # Whoever may host, release, respond or reclassify may also watch, so an allowed act needs one check.
    if action != HallAction.WATCH and hall_can(actor, opening, action):
        return opening
    if not hall_can(actor, opening, HallAction.WATCH):
        raise NotFound(_("No such lot, or its opening is not open to you."))
    if action != HallAction.WATCH:
        raise PermissionDenied(_refusal(action))
    return opening


def _refusal(action: HallAction) -> str:
    return {
        HallAction.HOST: _("Only the host of this opening (the agency running the tender) may do this."),
        HallAction.RELEASE: _("Only a bidder whose bid is listed at this opening may release a key or a backup."),
        HallAction.RESPOND: _("Only a bidder whose bid is listed at this opening may confirm the readout or object "
                              "to it."),
        HallAction.RECLASSIFY: _("Only the trading centre may record that a decryption failure was the platform's "
                                 "fault."),
    }.get(action, _("You may not do this at this opening."))


def _at(value: datetime) -> str:
    from bidding.services.bids import at

    return at(value)


def _own_opened_bid(actor: Actor, opening: Opening, *, lock: bool) -> OpenedBid:
    qs = OpenedBid.objects.select_related("bid")
    if lock:
        qs = qs.select_for_update(of=("self",))
    opened = qs.filter(opening=opening, bid__bidder_id=actor.organisation_id).first()
    if opened is None:
        raise PermissionDenied(_refusal(HallAction.RELEASE))
    return opened


def _locked_opening(opening: Opening) -> Opening:
    # Lock the opening's row only: a plain FOR UPDATE over the join would also lock the tender's row, after the
    # opening's, while hall_advance locks the tender first, then the openings: concurrent key releases then
    # deadlocked (bench/key_release.py with 4 threads).
    return Opening.objects.select_for_update(of=("self",)).select_related("lot__tender").get(pk=opening.pk)


# --- the host --------------------------------------------------------------------------------------------


def decryption_start(*, actor: Actor, lot_id: int) -> Opening:
    """The host starts decryption: the window (the tender's decryption_window_minutes) begins now."""
    opening = opening_for(actor=actor, lot_id=lot_id, action=HallAction.HOST)
    with transaction.atomic():
        locked = _locked_opening(opening)
        if locked.status != OpeningStatus.WAITING:
            raise IllegalTransition(_("Decryption can only be started once, while the bids are listed and waiting; "
                                      "this opening is %(status)s.") % {"status": locked.get_status_display()})
        now = clock.now()
        minutes = locked.lot.tender.decryption_window_minutes
        opening = _opening_move(actor, locked, OpeningStatus.DECRYPTING, changes={
            "decryption_started_at": now, "decryption_ends_at": now + timedelta(minutes=minutes)},
            data={"window_minutes": minutes})
        broadcast_after_commit([opening.lot_id])
    return opening


def objection_answer(*, actor: Actor, objection_id: int, answer: str) -> Objection:
    objection = Objection.objects.select_related("opening__lot").filter(pk=objection_id).first()
    if objection is None:
        raise NotFound(_("No such objection."))
    opening = opening_for(actor=actor, lot_id=objection.opening.lot_id, action=HallAction.HOST)
    text = (answer or "").strip()
    if not text:
        raise DomainError(_("Write the answer to the objection."), field="answer")
    if len(text) > 4000:
        raise DomainError(_("An answer has at most 4,000 characters."), field="answer")
    with transaction.atomic():
        _locked_opening(opening)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.answered_at is not None:
            raise IllegalTransition(_("This objection was already answered at %(t)s.") % {"t": _at(objection.answered_at)})
        objection.answer, objection.answered_by, objection.answered_at = text, actor.user, clock.now()
        objection.save(update_fields=["answer", "answered_by", "answered_at"])
        event_record(actor=actor, action="opening.objection_answered", subject=objection,
                     tender_id=opening.lot.tender_id, data={"objection": objection.pk, "answer": text})
        broadcast_after_commit([opening.lot_id])
    hall_advance(opening.lot.tender_id)
    return objection


def failure_reclassify(*, actor: Actor, bid_id: int, reason: str) -> OpenedBid:
    """The trading centre records that a bid failed to decrypt through no fault of the bidder (a platform
    failure): treated as withdrawn rather than revoked (《电子招标投标办法》 art. 31)."""
    opened = OpenedBid.objects.select_related("opening__lot").filter(bid_id=bid_id).first()
    if opened is None:
        raise NotFound(_("No such bid at an opening."))
    opening = opening_for(actor=actor, lot_id=opened.opening.lot_id, action=HallAction.RECLASSIFY)
    text = (reason or "").strip()
    if not text:
        raise DomainError(_("Give the reason: what failed on the platform's side."), field="reason")
    with transaction.atomic():
        locked = _locked_opening(opening)
        if locked.status != OpeningStatus.CONFIRMING:
            raise IllegalTransition(_("A failure's cause can be recorded after the readout and before the opening "
                                      "closes; this opening is %(status)s.") % {"status": locked.get_status_display()})
        opened = OpenedBid.objects.select_for_update().get(pk=opened.pk)
        if opened.status != OpenedBidStatus.REVOKED:
            raise IllegalTransition(_("Only a bid recorded as failed through the bidder's fault can be reclassified; "
                                      "this one is “%(status)s”.") % {"status": opened.get_status_display()})
        opened.status = OpenedBidStatus.WITHDRAWN
        opened.failure_cause = _recorded(lambda: _(
            "Not the bidder's fault, treated as withdrawn (《电子招标投标办法》 art. 31): %(reason)s") % {"reason": text})
        opened.save(update_fields=["status", "failure_cause"])
        event_record(actor=actor, action="opening.bid_failure_reclassified", subject=opened.bid,
                     tender_id=locked.lot.tender_id, data={"bid": opened.bid_id, "cause": "platform", "reason": text})
        broadcast_after_commit([locked.lot_id])
    return opened


# --- the bidders -----------------------------------------------------------------------------------------


def _check_window(opening: Opening, now: datetime) -> None:
    if opening.status == OpeningStatus.WAITING:
        raise IllegalTransition(_("Decryption has not started yet: wait for the host to start it."),
                                code="not_started")
    if opening.status != OpeningStatus.DECRYPTING or now >= opening.decryption_ends_at:
        ends = opening.decryption_ends_at
        raise IllegalTransition(
            _("The decryption window closed at %(ends)s; the server time is %(now)s. Nothing was changed.")
            % {"ends": _at(ends) if ends else "—", "now": _at(now)}, code="window_closed")


def envelope_header_bytes(*, actor: Actor, bid_id: int) -> bytes:
    """The bidder's own envelope header (public parameters: recipients' wrapped keys, commitments), which
    its browser needs to unwrap the data key at opening."""
    bid = Bid.objects.filter(pk=bid_id, bidder_id=actor.organisation_id).first()
    if bid is None:
        raise NotFound(_("No such bid of your organisation."))
    with bid.envelope.open("rb") as fh:
        header = read_header(fh)
        fh.seek(0)
        return fh.read(header.length)


def _summary_sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def key_release(*, actor: Actor, lot_id: int, data_key: bytes) -> OpenedBid:
    """The bidder releases its bid's data key. Checked by decrypting the sealed summary; a wrong key is
    counted and recorded, and the bid stays sealed. A second release is refused."""
    opening = opening_for(actor=actor, lot_id=lot_id, action=HallAction.RELEASE)
    if not isinstance(data_key, bytes | bytearray) or len(data_key) != 32:
        raise DomainError(_("A data key is 32 bytes (44 characters of base64); this is not one."), field="data_key")
    opened = _own_opened_bid(actor, opening, lock=False)
    _check_window(opening, clock.now())
    if opened.status != OpenedBidStatus.SEALED:
        raise IllegalTransition(_("This bid is already %(status)s; a key is released only once.")
                                % {"status": opened.get_status_display()}, code="already_released")
    try:
        with opened.bid.envelope.open("rb") as fh:
            header = read_header(fh)
            raw, summary = read_summary(fh, header, bytes(data_key))
        wrong = None
    except EnvelopeError as exc:
        wrong, raw, summary = exc, b"", None
    with transaction.atomic():
        locked = _locked_opening(opening)
        now = clock.now()
        _check_window(locked, now)
        row = OpenedBid.objects.select_for_update(of=("self",)).select_related("bid").get(pk=opened.pk)
        if row.status != OpenedBidStatus.SEALED:
            raise IllegalTransition(_("This bid is already %(status)s; a key is released only once.")
                                    % {"status": row.get_status_display()}, code="already_released")
        if wrong is not None:
            row.wrong_keys += 1
            row.save(update_fields=["wrong_keys"])
            event_record(actor=actor, action="opening.wrong_key", subject=row.bid, tender_id=locked.lot.tender_id,
                         data={"bid": row.bid_id, "attempt": row.wrong_keys, "error": type(wrong).__name__})
        else:
            row.status, row.summary, row.opened_at = OpenedBidStatus.DECRYPTED, summary, now
            row.wrapped_key = keyvault.wrap(bytes(data_key), bid_id=row.bid_id, sha256=row.bid.sha256)
            row.save(update_fields=["status", "summary", "opened_at", "wrapped_key"])
            event_record(actor=actor, action="opening.key_released", subject=row.bid, tender_id=locked.lot.tender_id,
                         data={"bid": row.bid_id, "summary_sha256": _summary_sha256(raw)})
            if not locked.bids.filter(status=OpenedBidStatus.SEALED).exists():
                _read_out(locked, now)
        broadcast_after_commit([locked.lot_id])
    if wrong is not None:
        raise DomainError(_("This data key does not open your bid's sealed summary (attempt %(n)d). The bid stays "
                            "sealed: unseal with the private key the bid was sealed for and release its data key "
                            "again, or submit your backup before the window closes.") % {"n": row.wrong_keys},
                          field="data_key", code="wrong_key")
    return row


def backup_submit(*, actor: Actor, lot_id: int, salts: dict, parts: dict[str, object]) -> OpenedBid:
    """The fallback (docs/sealing.md §6): plaintext parts and their salts, accepted only if every part
    matches the commitment sealed in the envelope before the deadline. `parts` maps part names to files
    (anything with .open/.read/.seek, e.g. UploadedFile); the plaintext is kept for the evaluators."""
    opening = opening_for(actor=actor, lot_id=lot_id, action=HallAction.RELEASE)
    opened = _own_opened_bid(actor, opening, lock=False)
    _check_window(opening, clock.now())
    if opened.status != OpenedBidStatus.SEALED:
        raise IllegalTransition(_("This bid is already %(status)s; no backup is needed.")
                                % {"status": opened.get_status_display()}, code="already_released")
    with opened.bid.envelope.open("rb") as fh:
        header = read_header(fh)
    from ebid.commitments import salt_for

    problems: dict[str, list[str]] = {}
    try:
        for part in header.parts:
            handle = parts.get(part.name)
            if handle is None:
                problems.setdefault("parts", []).append(
                    _("Part %(i)d, “%(name)s”, is missing: the backup must hold every file sealed in the envelope.")
                    % {"i": part.index, "name": part.name})
                continue
            handle.seek(0)
            verify_commitment(header, part, salt_for(salts, header, part), handle)
        extra = sorted(set(parts) - {p.name for p in header.parts})
        if extra:
            problems.setdefault("parts", []).append(
                _("These files were not sealed in the envelope: %(names)s.") % {"names": ", ".join(extra)})
    except (CommitmentMismatch, Malformed) as exc:
        problems.setdefault("parts", []).append(str(exc))
    if problems:
        with transaction.atomic():
            event_record(actor=actor, action="opening.backup_refused", subject=opened.bid,
                         tender_id=opening.lot.tender_id, data={"bid": opened.bid_id, "problems": problems["parts"]})
        raise DomainError(_("The backup does not match what was sealed before the deadline, so it was not accepted: "
                            "%(problems)s") % {"problems": " ".join(problems["parts"])}, fields=problems,
                          code="backup_mismatch")
    summary_file = parts[header.parts[0].name]
    summary_file.seek(0)
    raw = summary_file.read()
    try:
        summary = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        summary = {"text": raw.decode("utf-8", "replace")}
    from bidding.services import backups

    stored = backups.store(opened.bid, header, parts)
    try:
        with transaction.atomic():
            locked = _locked_opening(opening)
            now = clock.now()
            _check_window(locked, now)
            row = OpenedBid.objects.select_for_update().get(pk=opened.pk)
            if row.status != OpenedBidStatus.SEALED:
                raise IllegalTransition(_("This bid is already %(status)s; no backup is needed.")
                                        % {"status": row.get_status_display()}, code="already_released")
            row.status, row.summary, row.opened_at = OpenedBidStatus.BACKUP, summary, now
            row.save(update_fields=["status", "summary", "opened_at"])
            event_record(actor=actor, action="opening.backup_accepted", subject=row.bid,
                         tender_id=locked.lot.tender_id,
                         data={"bid": row.bid_id, "summary_sha256": _summary_sha256(raw),
                               "parts": [{"name": p.name, "size": p.size} for p in header.parts]})
            if not locked.bids.filter(status=OpenedBidStatus.SEALED).exists():
                _read_out(locked, now)
            broadcast_after_commit([locked.lot_id])
    except BaseException:
        backups.discard(stored)
        raise
    return row


def readout_respond(*, actor: Actor, lot_id: int, objection: str = "") -> OpenedBid:
    """Confirm the readout (no text) or object to it (text), once, within the confirmation window."""
    opening = opening_for(actor=actor, lot_id=lot_id, action=HallAction.RESPOND)
    text = (objection or "").strip()
    if len(text) > 4000:
        raise DomainError(_("An objection has at most 4,000 characters."), field="objection")
    with transaction.atomic():
        locked = _locked_opening(opening)
        now = clock.now()
        if locked.status != OpeningStatus.CONFIRMING or now >= locked.confirm_ends_at:
            ends = locked.confirm_ends_at
            raise IllegalTransition(
                _("The confirmation window closed at %(ends)s; the server time is %(now)s. Bidders who did not "
                  "respond are taken to accept the readout.") % {"ends": _at(ends) if ends else "—", "now": _at(now)}
                if ends else _("The readout has not happened yet."), code="window_closed")
        row = _own_opened_bid(actor, locked, lock=True)
        if row.response:
            raise IllegalTransition(_("Your organisation already responded (%(response)s) at %(t)s.")
                                    % {"response": row.get_response_display(), "t": _at(row.responded_at)},
                                    code="already_responded")
        row.response = Response.OBJECTED if text else Response.CONFIRMED
        row.responded_at = now
        row.save(update_fields=["response", "responded_at"])
        if text:
            raised = Objection.objects.create(opening=locked, bidder=actor.organisation, text=text,
                                              raised_by=actor.user, raised_at=now)
            event_record(actor=actor, action="opening.objection_raised", subject=raised,
                         tender_id=locked.lot.tender_id, data={"bid": row.bid_id, "objection": text})
        else:
            event_record(actor=actor, action="opening.readout_confirmed", subject=row.bid,
                         tender_id=locked.lot.tender_id, data={"bid": row.bid_id})
        broadcast_after_commit([locked.lot_id])
    hall_advance(locked.lot.tender_id)
    return row


def data_key_of(opened: OpenedBid) -> bytes:
    """The released data key of an opened bid, for reading it after opening (evaluation)."""
    if opened.status != OpenedBidStatus.DECRYPTED or not opened.wrapped_key:
        raise IllegalTransition(_("This bid has no released data key."))
    return keyvault.unwrap(opened.wrapped_key, bid_id=opened.bid_id, sha256=opened.bid.sha256)
