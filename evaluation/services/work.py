"""A member's work: reading the bids (decrypted by the platform, each read witnessed), the compliance and
qualification review, scoring, and clarification questions to bidders.

Each member works alone: drafts are saved as they are typed; a submitted sheet is locked. When every member has
submitted the review, the majority decides each requirement for each bid; a bid passes only if it passes
every requirement. When every member has submitted the scores, the summary is computed (services.summary)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from bidding.models import OPENED_STATUSES, OpenedBid
from bidding.services import backups
from bidding.services.opening import data_key_of
from core import clock
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from ebid import read_header
from ebid.chunks import open_part
from evaluation import scoring
from evaluation.models import (
    Committee,
    Criterion,
    CriterionKind,
    Member,
    Method,
    Question,
    Requirement,
    Result,
    ReviewMark,
    Score,
    ScoredBy,
    Sheet,
    Stage,
    Step,
)
from evaluation.permissions import EvalAction, member_of
from evaluation.services.committees import committee_for
from evaluation.services.stages import broadcast, stage_move
from witness.services import event_record


def bids_under_evaluation(committee: Committee) -> list[OpenedBid]:
    """The bids opened at the lot's opening (decrypted or from a backup), in the order they were received."""
    return list(OpenedBid.objects.select_related("bid__bidder").filter(
        opening__lot=committee.lot, status__in=OPENED_STATUSES).order_by("bid__received_at", "pk"))


def compliant_bid_ids(committee: Committee) -> list[int]:
    return list(Result.objects.filter(committee=committee, compliant=True).values_list("bid_id", flat=True))


def _member(actor: Actor, committee: Committee) -> Member:
    member = member_of(actor, committee)
    if member is None:
        raise PermissionDenied(_("Only a member of this committee may do this."))
    return member


def _sheet(member: Member, step: str, *, lock: bool = False) -> Sheet:
    sheet, _created = Sheet.objects.get_or_create(member=member, step=step)
    if lock:
        sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    return sheet


def _require_stage(committee: Committee, stage: str) -> None:
    if committee.stage != stage:
        raise IllegalTransition(_("This step is not open: the evaluation is at “%(stage)s”.")
                                % {"stage": committee.get_stage_display()}, code="wrong_stage")


def _own_bid(committee: Committee, bid_id: int) -> OpenedBid:
    opened = next((o for o in bids_under_evaluation(committee) if o.bid_id == bid_id), None)
    if opened is None:
        raise NotFound(_("No such bid under evaluation in this lot."))
    return opened


# --- reading bids -------------------------------------------------------------------------------------------

def bid_parts(opened: OpenedBid) -> list[dict]:
    """The files sealed in the bid, as its header lists them: kept on the bid at submission (an envelope in
    object storage would otherwise be downloaded for every page view); read from the envelope only for a bid
    stored without them."""
    if opened.bid.parts:
        return opened.bid.parts
    with opened.bid.envelope.open("rb") as fh:
        header = read_header(fh)
    return [{"index": p.index, "name": p.name, "size": p.size} for p in header.parts]


def bid_file_open(*, actor: Actor, lot_id: int, bid_id: int, part_index: int) -> tuple[str, int, Iterator[bytes]]:
    """(file name, size, plaintext chunks) of one sealed part of a bid, for a member; the read is witnessed."""
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.WORK)
    if committee.stage == Stage.ELECTING:
        raise IllegalTransition(_("The bids open to the committee once its leader is elected."), code="wrong_stage")
    member = _member(actor, committee)
    opened = _own_bid(committee, bid_id)
    with opened.bid.envelope.open("rb") as fh:
        header = read_header(fh)
    if not 0 <= part_index < len(header.parts):
        raise NotFound(_("This bid has no such file."))
    part = header.parts[part_index]
    with transaction.atomic():
        event_record(actor=actor, action="evaluation.bid_file_read", subject=committee, tender_id=committee.lot.tender_id,
                     data={"member": member.position, "bid": bid_id, "part": part.index, "name": part.name,
                           "size": part.size})
    if opened.status == "backup":
        stored = backups.stored_parts(opened.bid)

        def from_backup() -> Iterator[bytes]:
            with default_storage.open(stored[part_index], "rb") as fh:
                while data := fh.read(1 << 20):
                    yield data
        return part.name, part.size, from_backup()
    key = data_key_of(opened)

    def decrypted() -> Iterator[bytes]:
        with opened.bid.envelope.open("rb") as fh:
            head = read_header(fh)
            fh.seek(head.length + sum(head.sealed_size(p) for p in head.parts[:part_index]))
            yield from open_part(head.suite.aead(key), head, head.parts[part_index], fh)
    return part.name, part.size, decrypted()


# --- the review ---------------------------------------------------------------------------------------------

def review_mark(*, actor: Actor, lot_id: int, bid_id: int, requirement_id: int, passed: bool,
                reason: str = "") -> ReviewMark:
    """Save one pass/fail in the member's draft review sheet (a fail needs a reason)."""
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.WORK)
    _require_stage(committee, Stage.REVIEWING)
    member = _member(actor, committee)
    _own_bid(committee, bid_id)
    requirement = Requirement.objects.filter(pk=requirement_id, scheme__lot_id=lot_id).first()
    if requirement is None:
        raise DomainError(_("No such requirement in this lot's scheme."), field="requirement")
    reason = (reason or "").strip()
    if not passed and not reason:
        raise DomainError(_("Give the reason for every fail: which part of the bid does not meet “%(req)s”.")
                          % {"req": requirement.name}, field="reason")
    with transaction.atomic():
        sheet = _sheet(member, Step.REVIEW, lock=True)
        if sheet.submitted_at is not None:
            raise IllegalTransition(_("Your review sheet was submitted at %(t)s and is locked.")
                                    % {"t": _at(sheet.submitted_at)}, code="locked")
        mark, _created = ReviewMark.objects.update_or_create(
            sheet=sheet, bid_id=bid_id, requirement=requirement,
            defaults={"passed": passed, "reason": reason[:1000], "updated_at": clock.now()})
    return mark


def _at(value: datetime) -> str:
    from bidding.services.bids import at

    return at(value)


def _canonical_sheet(sheet: Sheet) -> str:
    if sheet.step == Step.REVIEW:
        rows = sorted([m.bid_id, m.requirement_id, m.passed, m.reason] for m in sheet.marks.all())
    else:
        rows = sorted([s.bid_id, s.criterion_id, str(s.points), s.note] for s in sheet.scores.all())
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def spec_of(criterion: Criterion, experts=None) -> scoring.CriterionSpec:
    return scoring.CriterionSpec(name=criterion.name, max_points=criterion.max_points, kind=criterion.kind,
                                 id=criterion.pk, experts=experts)


def scored_criteria(member: Member, committee: Committee) -> list[Criterion]:
    """The criteria this member scores (price is computed, never scored by hand)."""
    return [c for c in Criterion.objects.filter(scheme__lot=committee.lot).order_by("position")
            if c.kind != CriterionKind.PRICE and (c.scored_by == ScoredBy.ALL or c.scored_by == member.branch)]


def sheet_submit(*, actor: Actor, lot_id: int, step: str) -> Sheet:
    """Submit the member's review or scoring sheet: complete or refused, then locked for good."""
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.WORK)
    if step not in Step.values:
        raise DomainError(_("Unknown step."), field="step")
    _require_stage(committee, Stage.REVIEWING if step == Step.REVIEW else Stage.SCORING)
    member = _member(actor, committee)
    with transaction.atomic():
        locked_committee = Committee.objects.select_for_update().get(pk=committee.pk)
        _require_stage(locked_committee, Stage.REVIEWING if step == Step.REVIEW else Stage.SCORING)
        sheet = _sheet(member, step, lock=True)
        if sheet.submitted_at is not None:
            raise IllegalTransition(_("You already submitted this sheet at %(t)s.") % {"t": _at(sheet.submitted_at)},
                                    code="locked")
        missing = _missing(sheet, member, committee)
        if missing:
            raise DomainError(_("The sheet is not complete: %(n)d item(s) still need an answer, starting with "
                                "%(first)s.") % {"n": len(missing), "first": missing[0]}, code="incomplete")
        sheet.submitted_at = clock.now()
        sheet.sha256 = hashlib.sha256(_canonical_sheet(sheet).encode()).hexdigest()
        sheet.save(update_fields=["submitted_at", "sha256"])
        event_record(actor=actor, action="evaluation.sheet_submitted", subject=locked_committee,
                     tender_id=committee.lot.tender_id,
                     data={"member": member.position, "step": step, "sheet_sha256": sheet.sha256})
        done = Sheet.objects.filter(member__committee=committee, step=step, submitted_at__isnull=False).count()
        if done == committee.members.count():
            if step == Step.REVIEW:
                _close_review(actor, locked_committee)
            else:
                from evaluation.services.summary import summarise

                summarise(actor, locked_committee)
        broadcast(locked_committee)
    return sheet


def _missing(sheet: Sheet, member: Member, committee: Committee) -> list[str]:
    if sheet.step == Step.REVIEW:
        have = set(sheet.marks.values_list("bid_id", "requirement_id"))
        return [f"{o.bid.bidder.name} · {r.name}" for o in bids_under_evaluation(committee)
                for r in Requirement.objects.filter(scheme__lot=committee.lot).order_by("position")
                if (o.bid_id, r.pk) not in have]
    have = set(sheet.scores.values_list("bid_id", "criterion_id"))
    compliant = set(compliant_bid_ids(committee))
    return [f"{o.bid.bidder.name} · {c.name}" for o in bids_under_evaluation(committee) if o.bid_id in compliant
            for c in scored_criteria(member, committee) if (o.bid_id, c.pk) not in have]


def _close_review(actor: Actor, committee: Committee) -> None:
    """The majority decides each requirement for each bid; a bid passes only if it passes every requirement."""
    members = committee.members.count()
    requirements = list(Requirement.objects.filter(scheme__lot=committee.lot).order_by("position"))
    marks = list(ReviewMark.objects.filter(sheet__member__committee=committee).select_related("sheet__member"))
    results = []
    for opened in bids_under_evaluation(committee):
        failed = []
        for req in requirements:
            votes = [m for m in marks if m.bid_id == opened.bid_id and m.requirement_id == req.pk]
            passes = sum(m.passed for m in votes)
            if passes * 2 <= members:  # no majority for "passes"
                failed.append({"requirement": req.name, "passes": passes, "members": members,
                               "reasons": sorted({m.reason for m in votes if not m.passed})})
        summary = opened.summary if isinstance(opened.summary, dict) else {}
        results.append(Result(committee=committee, bid=opened.bid, price=_price(summary.get("price")),
                              compliant=not failed, failed_requirements=failed))
    Result.objects.bulk_create(results)
    compliant = [r for r in results if r.compliant]
    data = {"compliant": [r.bid_id for r in compliant],
            "rejected": [{"bid": r.bid_id, "failed": r.failed_requirements} for r in results if not r.compliant]}
    if not compliant:
        stage_move(actor, committee, Stage.FAILED, data=data, changes={
            "failure_reason": _("No bid passed the compliance and qualification review.")})
    elif committee.lot.scheme.method == Method.LOWEST_PRICE:
        stage_move(actor, committee, Stage.SUMMARY, data=data)
        from evaluation.services.summary import compute_results

        compute_results(actor, committee)
    else:
        stage_move(actor, committee, Stage.SCORING, data=data)


def _price(value) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d.quantize(Decimal("0.01")) if d.is_finite() and d > 0 else None


# --- scoring --------------------------------------------------------------------------------------------------

def score_save(*, actor: Actor, lot_id: int, bid_id: int, criterion_id: int, points, note: str = "") -> Score:
    """Save one score in the member's draft (as the member types): checked against the criterion's range."""
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.WORK)
    _require_stage(committee, Stage.SCORING)
    member = _member(actor, committee)
    if bid_id not in compliant_bid_ids(committee):
        raise DomainError(_("This bid did not pass the review and is not scored."), field="bid")
    criterion = next((c for c in scored_criteria(member, committee) if c.pk == criterion_id), None)
    if criterion is None:
        raise DomainError(_("You do not score this criterion."), field="criterion")
    problem = scoring.check_points(spec_of(criterion), points)
    if problem:
        raise DomainError(problem, field="points")
    with transaction.atomic():
        sheet = _sheet(member, Step.SCORING, lock=True)
        if sheet.submitted_at is not None:
            raise IllegalTransition(_("Your scoring sheet was submitted at %(t)s and is locked.")
                                    % {"t": _at(sheet.submitted_at)}, code="locked")
        score, _created = Score.objects.update_or_create(
            sheet=sheet, bid_id=bid_id, criterion=criterion,
            defaults={"points": Decimal(str(points)), "note": (note or "")[:1000], "updated_at": clock.now()})
    return score


def scores_visible_to(member: Member, other: Member) -> bool:
    """Hidden until submitted: a member sees another's scores only once both have submitted."""
    if member.pk == other.pk:
        return True
    submitted = set(Sheet.objects.filter(member__in=[member, other], step=Step.SCORING, submitted_at__isnull=False)
                    .values_list("member_id", flat=True))
    return {member.pk, other.pk} <= submitted


def scores_of(*, actor: Actor, lot_id: int, member_id: int) -> list[Score]:
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.WORK)
    me = _member(actor, committee)
    other = committee.members.filter(pk=member_id).first()
    if other is None:
        raise NotFound(_("No such member."))
    if not scores_visible_to(me, other):
        raise PermissionDenied(_("A member's scores are shown to you only once you and that member have both "
                                 "submitted."))
    return list(Score.objects.filter(sheet__member=other, sheet__step=Step.SCORING).select_related("criterion"))


# --- clarification questions (澄清) ----------------------------------------------------------------------------

def question_ask(*, actor: Actor, lot_id: int, bid_id: int, text: str, answer_by: datetime) -> Question:
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.WORK)
    if committee.stage not in {Stage.REVIEWING, Stage.SCORING}:
        raise IllegalTransition(_("Questions are asked during the review and the scoring."), code="wrong_stage")
    member = _member(actor, committee)
    _own_bid(committee, bid_id)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the question."), field="text")
    now = clock.now()
    if answer_by < now + timedelta(minutes=settings.EVALUATION_QUESTION_MIN_MINUTES):
        raise DomainError(_("Give the bidder at least %(n)d minutes to answer.")
                          % {"n": settings.EVALUATION_QUESTION_MIN_MINUTES}, field="answer_by")
    with transaction.atomic():
        question = Question.objects.create(committee=committee, bid_id=bid_id, text=text[:4000], asked_by=member,
                                           asked_at=now, answer_by=answer_by)
        event_record(actor=actor, action="evaluation.question_asked", subject=committee,
                     tender_id=committee.lot.tender_id,
                     data={"question": question.pk, "bid": bid_id, "text": question.text, "answer_by": answer_by})
        broadcast(committee)
    return question


def question_answer(*, actor: Actor, question_id: int, answer: str) -> Question:
    """The bidder answers its own question before the time limit; the answer joins its bid."""
    question = Question.objects.select_related("bid", "committee__lot").filter(pk=question_id).first()
    if question is None or actor.organisation_id != question.bid.bidder_id or actor.role != "bidder":
        raise NotFound(_("No such question to your organisation."))
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_("Write the answer."), field="answer")
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        now = clock.now()
        if question.answered_at is not None:
            raise IllegalTransition(_("This question was already answered."))
        if now >= question.answer_by:
            raise IllegalTransition(_("The time to answer ended at %(t)s; the server time is %(now)s.")
                                    % {"t": _at(question.answer_by), "now": _at(now)}, code="too_late")
        question.answer, question.answered_by, question.answered_at = answer[:8000], actor.user, now
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        event_record(actor=actor, action="evaluation.question_answered", subject=question.committee,
                     tender_id=question.committee.lot.tender_id,
                     data={"question": question.pk, "bid": question.bid_id, "answer": question.answer})
        broadcast(question.committee)
    return question


def questions_for_bidder(actor: Actor):
    return Question.objects.select_related("committee__lot__tender").filter(bid__bidder_id=actor.organisation_id)


