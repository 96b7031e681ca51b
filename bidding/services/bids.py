"""Sealed bid submission (DESIGN §4 invariants 1, 2, 4, 8; §5): resumable uploads, the keyless envelope
check, the deadline under the lot's row lock, durable storage, and the signed receipt.

The platform never sees a bid's content: it checks the envelope's structure and binding (ebid.check_structure)
and keeps the bytes as they came."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PublicKey
from bidding.models import Bid, BidStatus, BidUpload, Lot, Tender, upload_partial_name
from bidding.models import TenderStatus as S
from bidding.permissions import TenderAction, tender_can
from bidding.receipts import receipt_for
from bidding.services import envelopes
from core import clock
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from ebid import Binding, EnvelopeError, check_structure
from witness.services import event_record

HEX64 = re.compile(r"[0-9a-f]{64}")
KEY = re.compile(r"[A-Za-z0-9._:-]{1,100}")


def at(value: datetime) -> str:
    """Deadlines and server times to the second, in local time: a refusal must show how late it was."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


class _Late(Exception):
    def __init__(self, deadline: datetime, now: datetime):
        self.deadline, self.now = deadline, now


def _require_bidder(actor: Actor) -> None:
    org = actor.organisation
    if actor.role != "bidder" or org is None:
        raise PermissionDenied(_("Only a bidder submits bids; you act as %(role)s.") % {"role": actor.role})
    if not org.is_approved:
        raise PermissionDenied(_("%(org)s is not approved by the trading centre yet (%(status)s), so it cannot "
                                 "submit bids.") % {"org": org.name, "status": org.get_status_display()})


def _late_message(deadline: datetime, now: datetime) -> str:
    return _("The bid deadline was %(deadline)s; the server time is %(now)s. After the deadline nothing can be "
             "submitted, replaced or withdrawn, and nothing was changed.") % {"deadline": at(deadline), "now": at(now)}


def _record_late(*, actor: Actor, lot: Lot, attempt: str, late: _Late, data: dict | None = None) -> None:
    """The refused late attempt goes in the ledger in its own transaction, so the refusal itself is kept."""
    with transaction.atomic():
        event_record(actor=actor, action="bid.refused_late", subject=lot, tender_id=lot.tender_id,
                     data={"attempt": attempt, "deadline": late.deadline, "server_time": late.now, **(data or {})})


def _check_open(tender: Tender, now: datetime) -> None:
    """Raise _Late past the deadline; refuse a tender that is not taking bids for another reason."""
    if tender.status == S.PUBLISHED and tender.is_public(now) and now >= tender.bid_deadline:
        raise _Late(tender.bid_deadline, now)
    if not tender.accepting_bids(now):
        raise IllegalTransition(_("Tender “%(title)s” is not open for bids (%(status)s).")
                                % {"title": tender.title, "status": tender.get_status_display()})


def _visible_lot(actor: Actor, lot_id: int) -> Lot:
    lot = Lot.objects.select_related("tender").filter(pk=lot_id).first()
    if lot is None or not tender_can(actor, lot.tender, TenderAction.VIEW):
        raise NotFound(_("No such lot, or its tender is not published."))
    return lot


def _upload_of(bidder_id: int | None, upload_id: int, *, lock: bool = False) -> BidUpload:
    qs = BidUpload.objects.select_related("lot__tender")
    if lock:
        qs = qs.select_for_update(of=("self",))
    # A slice, not .first(): the primary key names one row, and ordering it would only cost the compiler's time.
    found = list(qs.filter(pk=upload_id, bidder_id=bidder_id)[:1])
    if not found:
        raise NotFound(_("No such upload of your organisation."))
    return found[0]


def _own_upload(actor: Actor, upload_id: int, *, lock: bool = False) -> BidUpload:
    upload = _upload_of(actor.organisation_id, upload_id, lock=lock)
    upload.bidder = actor.organisation  # the row the filter named, already loaded with the actor
    return upload


def upload_for_bidder(*, actor: Actor, upload_id: int) -> BidUpload:
    """One of the actor's organisation's uploads (its progress, to resume from)."""
    _require_bidder(actor)
    return _own_upload(actor, upload_id)


def sealing_fingerprints(organisation) -> set[str]:
    return set(PublicKey.objects.filter(organisation=organisation, purpose=PublicKey.Purpose.SEALING,
                                        status=PublicKey.Status.ACTIVE).values_list("fingerprint", flat=True))


def bid_upload_start(*, actor: Actor, lot_id: int, size: int, sha256: str, idempotency_key: str) -> BidUpload:
    """Open a resumable upload of a sealed envelope; the same idempotency key returns the same upload."""
    _require_bidder(actor)
    lot = _visible_lot(actor, lot_id)
    key = (idempotency_key or "").strip()
    errors: dict[str, list[str]] = {}
    if not KEY.fullmatch(key):
        errors["idempotency_key"] = [_("Give an idempotency key of 1 to 100 letters, digits or . _ : - (a fresh "
                                       "random one per envelope; repeat it only to retry).")]
    sha256 = (sha256 or "").strip().lower()
    if not HEX64.fullmatch(sha256):
        errors["sha256"] = [_("Give the envelope's SHA-256 as 64 hexadecimal digits.")]
    if not isinstance(size, int) or size <= 0:
        errors["size"] = [_("Give the envelope's size in bytes.")]
    elif size > settings.BID_ENVELOPE_MAX_BYTES:
        errors["size"] = [_("The envelope is %(size)d bytes; the limit is %(limit)d bytes (%(mib)d MiB).")
                          % {"size": size, "limit": settings.BID_ENVELOPE_MAX_BYTES,
                             "mib": settings.BID_ENVELOPE_MAX_BYTES // 2**20}]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)
    existing = BidUpload.objects.filter(bidder=actor.organisation, idempotency_key=key).first()
    if existing is not None:
        if (existing.lot_id, existing.declared_size, existing.declared_sha256) != (lot.pk, size, sha256):
            raise DomainError(_("This idempotency key was already used for another envelope; use a fresh key for a "
                                "new envelope."), field="idempotency_key", code="idempotency_conflict")
        return existing
    now = clock.now()
    try:
        _check_open(lot.tender, now)
    except _Late as late:
        _record_late(actor=actor, lot=lot, attempt="upload", late=late, data={"size": size, "sha256": sha256})
        raise IllegalTransition(_late_message(late.deadline, late.now), code="deadline_passed") from None
    if not sealing_fingerprints(actor.organisation):
        raise DomainError(_("%(org)s has no active sealing key. Register the public half of your sealing key "
                            "first, then seal the bid for it.") % {"org": actor.organisation.name},
                          code="no_sealing_key")
    with transaction.atomic():
        upload = BidUpload.objects.create(
            lot=lot, bidder=actor.organisation, declared_size=size, declared_sha256=sha256, idempotency_key=key,
            partial_path=upload_partial_name(lot.pk, actor.organisation_id, uuid.uuid4().hex),
            created_by=actor.user, created_at=now,
            expires_at=now + timedelta(hours=settings.BID_UPLOAD_EXPIRY_HOURS))
        event_record(actor=actor, action="bid.upload_started", subject=upload, tender_id=lot.tender_id,
                     data={"lot": lot.pk, "size": size, "sha256": sha256})
    return upload


UPLOAD_TOKEN_SALT = "bidding.upload-chunk"


def upload_token(upload: BidUpload) -> str:
    """The upload's write token: its id and bidder's id signed with the platform's SECRET_KEY (HMAC-SHA256,
    django.core.signing). It is handed to the authenticated bidder who started the upload, in the start and
    progress answers, and authorises nothing but appending to that one partial file until the upload is
    finished or expires: the finish, which makes the bid, still needs the bidder's own authentication and
    checks the envelope against the SHA-256 the bidder declared. So a chunk needs no session, token or
    organisation lookup, which at the deadline is most of what a chunk costs the server (bench/README.md)."""
    return signing.Signer(salt=UPLOAD_TOKEN_SALT).sign(f"{upload.pk}.{upload.bidder_id}")


def _token_bidder(token: str, upload_id: int) -> int:
    """The bidder id the token was issued to, if it was issued by this platform for this upload."""
    try:
        value = signing.Signer(salt=UPLOAD_TOKEN_SALT).unsign(token or "")
        token_upload, bidder_id = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        token_upload = bidder_id = None
    if token_upload != upload_id:
        raise PermissionDenied(_("This upload token is not valid for this upload: take the token from the answer "
                                 "that started the upload (or from its progress)."), code="bad_upload_token")
    return bidder_id


def bid_upload_chunk(*, actor: Actor, upload_id: int, offset: int, data: bytes) -> BidUpload:
    """Append `data` at `offset` for a bidder acting in the platform (the demo, tests, in-process tools)."""
    _require_bidder(actor)
    return _append(upload_id, actor.organisation_id, offset, data)


def bid_upload_chunk_by_token(*, token: str, upload_id: int, offset: int, data: bytes) -> BidUpload:
    """Append `data` at `offset` on the authority of the upload's token (see upload_token): the HTTP path."""
    return _append(upload_id, _token_bidder(token, upload_id), offset, data)


def chunk_too_large() -> DomainError:
    """The refusal of a chunk over BID_UPLOAD_CHUNK_MAX_BYTES (also given by the HTTP edges before reading it)."""
    return DomainError(_("A chunk holds at most %(limit)d bytes; send smaller chunks.")
                       % {"limit": settings.BID_UPLOAD_CHUNK_MAX_BYTES}, field="data", code="chunk_too_large")


def _append(upload_id: int, bidder_id: int | None, offset: int, data: bytes) -> BidUpload:
    """Append at `offset`, which must be the bytes received so far. A retried chunk at an earlier offset is
    acknowledged without writing twice, if its bytes are those already received. Under the upload's row lock,
    against the server clock: nothing is written after the deadline or once the upload is finished."""
    if len(data) > settings.BID_UPLOAD_CHUNK_MAX_BYTES:
        raise chunk_too_large()
    with transaction.atomic():
        upload = _upload_of(bidder_id, upload_id, lock=True)
        now = clock.now()
        if upload.finished_at is not None:
            raise IllegalTransition(_("This upload is already finished; start a new one for a new envelope."))
        try:  # the deadline first: past it, "start again" would be no advice
            _check_open(upload.lot.tender, now)
        except _Late as late:
            raise IllegalTransition(_late_message(late.deadline, late.now), code="deadline_passed") from None
        if now >= upload.expires_at:
            raise IllegalTransition(_("This upload expired at %(t)s; start again.") % {"t": at(upload.expires_at)})
        end = offset + len(data)
        if offset < 0 or offset > upload.received:
            raise DomainError(_("This chunk starts at byte %(offset)d, but %(received)d bytes have been received: "
                                "send the chunk that starts at byte %(received)d.")
                              % {"offset": offset, "received": upload.received}, field="offset",
                              code="offset_mismatch")
        if end > upload.declared_size:
            raise DomainError(_("This chunk ends at byte %(end)d, beyond the declared size of %(size)d bytes.")
                              % {"end": end, "size": upload.declared_size}, field="offset", code="beyond_size")
        overlap = min(upload.received - offset, len(data))
        if overlap and envelopes.read_at(upload.partial_path, offset, overlap) != data[:overlap]:
            raise DomainError(_("Bytes %(start)d to %(end)d were already received with different content; an "
                                "envelope cannot change during its upload. Start a new upload.")
                              % {"start": offset, "end": offset + overlap}, field="offset", code="chunk_conflict")
        if end > upload.received:
            envelopes.write_at(upload.partial_path, upload.received, data[overlap:])
            upload.received = end
            BidUpload.objects.filter(pk=upload.pk).update(received=end)
    return upload


def _envelope_error(exc: EnvelopeError) -> DomainError:
    return DomainError(_("The envelope was refused (%(kind)s): %(reason)s. Nothing was submitted; seal the bid "
                         "again for this lot with your registered sealing keys.")
                       % {"kind": type(exc).__name__, "reason": str(exc)}, code=f"envelope_{type(exc).__name__.lower()}")


def _checked_envelope(upload: BidUpload) -> list[dict]:
    """Size, hash, structure and binding: everything that can be checked without a key. Returns the parts the
    header lists (index, file name, size), which the evaluation pages show without opening the envelope."""
    if upload.received != upload.declared_size:
        raise DomainError(_("The upload is incomplete: %(received)d of %(size)d bytes received. Send the rest, "
                            "starting at byte %(received)d.") % {"received": upload.received,
                                                                  "size": upload.declared_size},
                          code="incomplete")
    tender, lot, bidder = upload.lot.tender, upload.lot, upload.bidder
    fingerprints = sealing_fingerprints(bidder)
    binding = Binding(tender_id=tender.pk, tender_reference=tender.reference or "", lot_id=lot.pk,
                      bidder_id=bidder.pk, bidder_credit_code=bidder.credit_code)

    parts: list[dict] = []

    def structure(stream) -> None:
        if fingerprints:
            header = check_structure(stream, expect=binding, fingerprints=fingerprints)
            parts.extend({"index": p.index, "name": p.name, "size": p.size} for p in header.parts)

    # One read of the file serves the hash and the structure check; the hash is judged first, as before.
    size, digest, refused = envelopes.digest_checked(upload.partial_path, structure, EnvelopeError)
    if size != upload.declared_size or digest != upload.declared_sha256:
        raise DomainError(_("The bytes received (SHA-256 %(got)s) are not the envelope declared (SHA-256 %(want)s). "
                            "Start a new upload.") % {"got": digest, "want": upload.declared_sha256},
                          code="hash_mismatch")
    if not fingerprints:
        raise DomainError(_("%(org)s has no active sealing key; the envelope cannot be accepted.")
                          % {"org": bidder.name}, code="no_sealing_key")
    if refused is not None:
        raise _envelope_error(refused) from None
    return parts


def bid_upload_finish(*, actor: Actor, upload_id: int) -> Bid:
    """Turn a complete upload into a bid and sign its receipt; a retry returns the same bid and receipt.

    The envelope is stored durably first; then, in one transaction holding the lot's row lock, the deadline
    is checked against the server clock, an earlier bid is marked replaced, the bid and its ledger event are
    written. A late or failed finish leaves no bid and no stored copy (invariants 2, 4)."""
    _require_bidder(actor)
    upload = _own_upload(actor, upload_id)
    done = Bid.objects.filter(bidder_id=upload.bidder_id, idempotency_key=upload.idempotency_key).first()
    if done is not None:
        return done
    lot = upload.lot
    late_data = {"upload": upload.pk, "size": upload.declared_size, "sha256": upload.declared_sha256}
    try:
        _check_open(lot.tender, clock.now())
    except _Late as late:
        _record_late(actor=actor, lot=lot, attempt="submit", late=late, data=late_data)
        raise IllegalTransition(_late_message(late.deadline, late.now), code="deadline_passed") from None
    parts = _checked_envelope(upload)
    bid = Bid(lot=lot, bidder=upload.bidder, size=upload.declared_size, sha256=upload.declared_sha256,
              idempotency_key=upload.idempotency_key, upload=upload, submitted_by=actor.user, parts=parts)
    envelopes.store_durably(bid, upload.partial_path)
    try:
        with transaction.atomic():
            Lot.objects.select_for_update().get(pk=lot.pk)
            tender = Tender.objects.get(pk=lot.tender_id)
            now = clock.now()
            _check_open(tender, now)
            done = Bid.objects.filter(bidder_id=upload.bidder_id, idempotency_key=upload.idempotency_key).first()
            if done is not None:
                envelopes.delete_stored(bid)
                return done
            replaced = list(Bid.objects.select_for_update().filter(lot=lot, bidder_id=upload.bidder_id,
                                                                   status=BidStatus.SUBMITTED))
            for earlier in replaced:
                earlier.status, earlier.status_changed_at = BidStatus.REPLACED, now
                earlier.save(update_fields=["status", "status_changed_at"])
            bid.received_at = now
            bid.save()
            document = receipt_for(bid)
            bid.receipt, bid.signature = document["receipt"], document["signature"]
            bid.save(update_fields=["receipt", "signature"])
            upload.finished_at = now
            upload.save(update_fields=["finished_at"])
            event_record(actor=actor, action="bid.submitted", subject=bid, tender_id=tender.pk,
                         data={"bid": bid.pk, "lot": lot.pk, "size": bid.size, "sha256": bid.sha256,
                               "received_at": now, "replaced": [b.pk for b in replaced]})
    except _Late as late:
        envelopes.delete_stored(bid)
        _record_late(actor=actor, lot=lot, attempt="submit", late=late, data=late_data)
        raise IllegalTransition(_late_message(late.deadline, late.now), code="deadline_passed") from None
    except BaseException:
        envelopes.delete_stored(bid)
        raise
    envelopes.discard(upload.partial_path)
    return bid


def bid_withdraw(*, actor: Actor, bid_id: int) -> Bid:
    """Withdraw a submitted bid before the deadline (the envelope is kept, never opened)."""
    _require_bidder(actor)
    bid = Bid.objects.select_related("lot__tender").filter(pk=bid_id, bidder_id=actor.organisation_id).first()
    if bid is None:
        raise NotFound(_("No such bid of your organisation."))
    try:
        with transaction.atomic():
            lot = Lot.objects.select_for_update().get(pk=bid.lot_id)
            tender = Tender.objects.get(pk=lot.tender_id)
            now = clock.now()
            _check_open(tender, now)
            bid = Bid.objects.select_for_update().get(pk=bid.pk)
            if bid.status != BidStatus.SUBMITTED:
                raise IllegalTransition(_("This bid is %(status)s; only a submitted bid can be withdrawn.")
                                        % {"status": bid.get_status_display()})
            bid.status, bid.status_changed_at = BidStatus.WITHDRAWN, now
            bid.save(update_fields=["status", "status_changed_at"])
            event_record(actor=actor, action="bid.withdrawn", subject=bid, tender_id=tender.pk,
                         data={"bid": bid.pk, "lot": lot.pk, "sha256": bid.sha256})
    except _Late as late:
        _record_late(actor=actor, lot=bid.lot, attempt="withdraw", late=late, data={"bid": bid.pk})
        raise IllegalTransition(_late_message(late.deadline, late.now), code="deadline_passed") from None
    return bid


def bids_of_bidder(*, actor: Actor, lot_id: int):
    """The actor's own bids for a lot, newest first (never anyone else's)."""
    _require_bidder(actor)
    lot = _visible_lot(actor, lot_id)
    return Bid.objects.filter(lot=lot, bidder_id=actor.organisation_id).order_by("-received_at", "-pk")


def may_submit_bids(actor: Actor, tender: Tender) -> bool:
    """An approved bidder, while the tender takes bids: who sees the submission page and its link."""
    org = actor.organisation
    return (actor.role == "bidder" and org is not None and org.is_approved
            and tender.accepting_bids(clock.now()))


def submitted_bidders(lot: Lot) -> list[int]:
    """bidding.hooks known-bidders provider: organisations with a submitted (not withdrawn) bid for the lot."""
    return list(Bid.objects.filter(lot=lot, status=BidStatus.SUBMITTED).values_list("bidder_id", flat=True))


def bid_uploads_clean() -> int:
    """Delete the partial files of uploads that can no longer become bids (expired, or their tender's
    deadline passed); the rows stay as the record of the attempt. Returns how many files were removed."""
    now = clock.now()
    stale = BidUpload.objects.filter(finished_at__isnull=True).filter(
        models.Q(expires_at__lte=now) | models.Q(lot__tender__bid_deadline__lte=now))
    removed = 0
    for name in stale.values_list("partial_path", flat=True).iterator():
        if envelopes.partial_file(name).exists():
            envelopes.discard(name)
            removed += 1
    return removed
