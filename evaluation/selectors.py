"""Reads for the evaluation pages: a watcher's progress view, a member's workspace."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bidding.hall import readout_row
from bidding.models import OPENED_STATUSES, OpenedBid
from bidding.permissions import is_operator
from core import clock
from core.actor import Actor
from core.templatetags.platform import format_yuan
from evaluation.models import Committee, Criterion, Flag, Member, Question, Report, Requirement, Result, ReviewMark, \
    Score, Sheet, Signature, Stage, Step
from evaluation.scoring import CORRECTION_KINDS
from evaluation.permissions import EvalAction, committee_can, member_of
from evaluation.progress import progress_state
from evaluation.services.committees import committee_for
from evaluation.services.reports import absence_due
from evaluation.services.work import bid_parts, compliant_bid_ids, scored_criteria


def progress_for(*, actor: Actor, lot_id: int) -> dict:
    committee = committee_for(actor=actor, lot_id=lot_id)
    state = progress_state(committee, names=committee_can(actor, committee, EvalAction.SEE_NAMES))
    if committee_can(actor, committee, EvalAction.SEE_RESULTS):
        state["results"] = [
            {"bid": r.bid_id, "bidder": r.bid.bidder.name, "price": f"{r.price:.2f}" if r.price is not None else "",
             "compliant": r.compliant, "price_score": f"{r.price_score:.2f}" if r.price_score is not None else "",
             "total": f"{r.total:.2f}" if r.total is not None else "", "rank": r.rank, "recommended": r.recommended,
             "tie_broken_by": r.tie_broken_by, "failed": r.failed_requirements}
            for r in Result.objects.filter(committee=committee).select_related("bid__bidder").order_by("rank", "pk")]
    return state


def committees_of(user) -> QuerySet[Committee]:
    return (Committee.objects.filter(members__user=user).select_related("lot__tender")
            .exclude(stage__in=[Stage.AWARDED]).order_by("-formed_at"))


def committees_for_operator(actor: Actor) -> QuerySet[Committee]:
    return Committee.objects.filter(lot__tender__agency_id=actor.organisation_id).select_related(
        "lot__tender").order_by("-formed_at") if actor.organisation_id else Committee.objects.none()


def questions_for_bidder(actor: Actor) -> QuerySet[Question]:
    if actor.role != "bidder" or actor.organisation_id is None:
        return Question.objects.none()
    return Question.objects.filter(bid__bidder_id=actor.organisation_id).select_related(
        "committee__lot__tender").order_by("-asked_at")


def _opened(committee: Committee) -> list[OpenedBid]:
    """services.work.bids_under_evaluation with only the columns the workspace shows: each bid's receipt and
    signature JSON and the bidders' full rows, decoded for every bid on every load, were a large part of the
    page's time with 50 bids (bench/evaluation.py)."""
    return list(OpenedBid.objects.filter(opening__lot_id=committee.lot_id, status__in=OPENED_STATUSES)
                .select_related("bid__bidder")
                .only("status", "summary", "bid", "bid__envelope", "bid__received_at", "bid__bidder",
                      "bid__bidder__name")
                .order_by("bid__received_at", "pk"))


def workspace(*, actor: Actor, lot_id: int) -> dict:
    """Everything a member's page shows: its own drafts and submissions, never another member's scores.

    Read in a fixed number of queries whatever the number of bids, and the score grid's cells handed to the
    template as ready text (50 bids × 25 criteria is 1,250 inputs on one page)."""
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.WORK)
    me: Member = member_of(actor, committee)
    sheets = {s.step: s for s in Sheet.objects.filter(member=me)}
    opened = _opened(committee) if committee.stage != Stage.ELECTING else []
    compliant = set(compliant_bid_ids(committee))
    marks = {(m.bid_id, m.requirement_id): m for m in ReviewMark.objects.filter(sheet__member=me).only(
        "bid", "requirement", "passed", "reason")}
    points = {(bid, criterion): value for bid, criterion, value in Score.objects.filter(sheet__member=me).values_list(
        "bid_id", "criterion_id", "points")}
    questions = defaultdict(list)
    for q in Question.objects.filter(committee=committee):
        questions[q.bid_id].append(q)
    requirements = list(Requirement.objects.filter(scheme__lot=committee.lot).order_by("position"))
    criteria = scored_criteria(me, committee)
    bids = []
    for o in opened:
        bids.append({
            "id": o.bid_id, "bidder": o.bid.bidder.name, "readout": readout_row(o), "parts": bid_parts(o),
            "compliant": o.bid_id in compliant,
            "marks": [(r, marks.get((o.bid_id, r.pk))) for r in requirements],
            "questions": questions[o.bid_id],
        })
    scored = [b for b in bids if b["compliant"]]
    # (criterion, its maximum, [(bid id, bidder, the member's points or "")]): text, not numbers, so that the
    # template neither localises 1,250 values nor hides a score of 0 (a falsy Decimal) behind |default.
    grid = [(c, f"{c.max_points}", [(str(b["id"]), b["bidder"], "" if (b["id"], c.pk) not in points
                                     else f"{points[(b['id'], c.pk)]}") for b in scored]) for c in criteria]
    report = getattr(committee, "report", None) if hasattr(committee, "report") else None
    signature = getattr(me, "signature", None) if hasattr(me, "signature") else None
    return {
        "committee": committee, "me": me, "scored_bids": scored, "grid": grid, "report": report,
        "my_signature": signature, "correction_kinds": list(CORRECTION_KINDS.items()), "open_flags": Flag.objects.filter(committee=committee, decided_at__isnull=True).count(), "members": list(committee.members.order_by("position")),
        "sheets": sheets, "bids": bids, "requirements": requirements, "criteria": criteria,
        "all_criteria": list(Criterion.objects.filter(scheme__lot=committee.lot).order_by("position")),
        "review_locked": bool(sheets.get(Step.REVIEW) and sheets[Step.REVIEW].submitted_at),
        "scoring_locked": bool(sheets.get(Step.SCORING) and sheets[Step.SCORING].submitted_at),
        "absence": absence_recording(actor, committee),
        "flags": flags_described(committee)
        if committee.stage in {Stage.SUMMARY, Stage.SIGNING, Stage.REPORTED} else [],
        "results": list(Result.objects.filter(committee=committee).select_related("bid__bidder").order_by("rank", "pk"))
        if committee.summarised_at or committee.stage == Stage.SUMMARY else [],
    }


def _percent(ratio) -> str:
    value = Decimal(str(ratio)) * 100
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}"


def flags_described(committee: Committee) -> list[Flag]:
    """The summary's findings, each with `description`: what was found, in the reader's language, naming the
    bidder and amounts in 元 (the message stored at the summary names bids by their internal number)."""
    flags = list(Flag.objects.filter(committee=committee).select_related("bid__bidder", "member"))
    prices = dict(Result.objects.filter(committee=committee, compliant=True, price__isnull=False)
                  .values_list("bid_id", "price"))
    by_id = {c.pk: c for c in Criterion.objects.filter(scheme__lot=committee.lot)}
    ordered = sorted(prices.values())
    for flag in flags:
        flag.description = _describe(flag, prices, ordered, committee.lot.ceiling_price, by_id)
    return flags


def _describe(flag: Flag, prices: dict, ordered: list, ceiling, criteria: dict) -> str:
    detail = flag.detail or {}
    bidder = flag.bid.bidder.name
    if flag.kind == "abnormally_low" and flag.bid_id in prices:
        parts = {
            "below_mean": lambda: _("below %(pct)s%% of the mean of the compliant prices (%(mean)s)") % {
                "pct": _percent(settings.ABNORMAL_LOW_OF_MEAN),
                "mean": format_yuan(sum(ordered) / len(ordered))},
            "below_second_lowest": lambda: _("below %(pct)s%% of the second-lowest price (%(second)s)") % {
                "pct": _percent(settings.ABNORMAL_LOW_OF_SECOND),
                "second": format_yuan(ordered[1]) if len(ordered) > 1 else "—"},
            "below_ceiling": lambda: _("below %(pct)s%% of the ceiling price (%(ceiling)s)") % {
                "pct": _percent(settings.ABNORMAL_LOW_OF_CEILING), "ceiling": format_yuan(ceiling)},
        }
        why = [parts[r]() for r in detail.get("reasons") or [] if r in parts]
        if why:
            return _("%(bidder)s's price of %(price)s may be abnormally low: %(why)s. The committee must decide "
                     "whether it can perform the contract at that price, and record why.") % {
                "bidder": bidder, "price": format_yuan(prices[flag.bid_id]), "why": _("; ").join(why)}
    if flag.kind == "deviation" and detail.get("value") is not None and flag.member is not None:
        return _("Member %(n)d's points for %(bidder)s differ from the other members' average by %(pct)s%% of the "
                 "points at stake (the threshold is %(threshold)s%%).") % {
            "n": flag.member.position, "bidder": bidder, "pct": _percent(detail["value"]),
            "threshold": _percent(settings.SCORE_DEVIATION_THRESHOLD)}
    if flag.kind == "objective_inconsistent" and detail.get("criterion") in criteria:
        return _("The members gave %(bidder)s different points for the objective criterion “%(criterion)s”: an "
                 "objective criterion has one right score, so the points must be corrected.") % {
            "bidder": bidder, "criterion": criteria[detail["criterion"]].name}
    return str(detail.get("message") or "—")


def absence_recording(actor: Actor, committee: Committee) -> dict | None:
    """For the leader and the host while the report awaits signatures: the members (other than the actor) who
    have neither signed nor refused, and from when their silence may be recorded (RULES X8). None otherwise."""
    if committee.stage != Stage.SIGNING:
        return None
    me = member_of(actor, committee)
    if not ((me is not None and me.is_leader) or is_operator(actor, committee.lot.tender)):
        return None
    report = Report.objects.filter(committee=committee).first()
    if report is None:
        return None
    signed = set(Signature.objects.filter(report=report).values_list("member_id", flat=True))
    due = absence_due(report)
    return {"due": due, "open": clock.now() >= due, "names": me is not None or committee_can(
        actor, committee, EvalAction.SEE_NAMES),
            "members": [m for m in committee.members.order_by("position") if m.pk not in signed
                        and (me is None or m.pk != me.pk)]}
