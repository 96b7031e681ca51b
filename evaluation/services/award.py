"""After the report: the candidates' publicity, objections to it, the tenderer's award (定标) and the signed
award notice, and the savings figures the regulator's dashboards sum.

- Publicity (招标投标法实施条例 art. 54; RULES M6): the operator publishes the recommended candidates for at
  least PUBLICITY_DAYS days. Anyone who may see the tender reads them; no expert is named.
- Objections (art. 54): a bidder of the lot may object while the publicity runs (server clock, under the
  publicity's row lock); the operator answers within PUBLICITY_ANSWER_DAYS days, and while any objection is
  unanswered the award waits.
- Award (art. 55): the tenderer confirms the first-ranked candidate, or, when a candidate ranked above declined
  or was disqualified, the next one, with the reason recorded for each candidate passed over.
- Government procurement (RULES M7; 87号令 art. 68-69) has no candidate publicity: the purchaser chooses the
  winner from the report within GP_AWARD_DECISION_WORKING_DAYS working days of its completion, otherwise the
  first-ranked candidate is deemed chosen (``gp_award_advance``: on every visit to the lot's evaluation pages and
  from a beat task); the result is then announced for GP_RESULT_NOTICE_WORKING_DAYS working days.
- The notice (中标通知书 / 成交通知书) is rendered, signed by the platform and mailed after commit, by award id,
  once (evaluation.tasks.award_notice_render → evaluation.services.award_notice).

Every refusal raises before anything is written; every write records its ledger event in its transaction."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bidding.hall import readout_row
from bidding.models import Bid, BidStatus, Category, OpenedBid, Tender, TenderStatus
from bidding.permissions import TenderAction, is_operator, tender_can
from bidding.services.bids import at
from core import clock
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from evaluation.models import Award, AwardObjection, Committee, Publicity, Report, Result, Stage
from evaluation.services.stages import broadcast, stage_move
from witness.services import event_record
from workdays.selectors import add_working_days

TEXT_MAX = 4000


def _approved(actor: Actor) -> bool:
    return actor.organisation is not None and actor.organisation.is_approved


def is_tenderer(actor: Actor, tender: Tender) -> bool:
    return _approved(actor) and actor.organisation_id == tender.tenderer_id


def _committee(lot_id: int) -> Committee:
    committee = Committee.objects.select_related("lot__tender").filter(lot_id=lot_id).first()
    if committee is None:
        raise NotFound(_("No evaluation committee for this lot."))
    return committee


def _not_cancelled(tender: Tender) -> None:
    if tender.status == TenderStatus.CANCELLED:
        raise IllegalTransition(_("The tender was cancelled."), code="cancelled")


def _text(value: str, field: str, empty: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(empty, field=field)
    if len(text) > TEXT_MAX:
        raise DomainError(_("At most 4,000 characters."), field=field)
    return text


# --- Publicity ---------------------------------------------------------------------------------------------

def _candidates(committee: Committee) -> list[dict]:
    readout = {o.bid_id: readout_row(o) for o in OpenedBid.objects.select_related("bid__bidder").filter(
        opening__lot_id=committee.lot_id)}
    rows = []
    for r in Result.objects.filter(committee=committee, recommended=True, compliant=True).select_related(
            "bid__bidder").order_by("rank", "pk"):
        read = readout.get(r.bid_id, {})
        rows.append({"bid": r.bid_id, "bidder_id": r.bid.bidder_id, "bidder": r.bid.bidder.name, "rank": r.rank,
                     "price": str(r.price), "total": str(r.total) if r.total is not None else None,
                     "duration_days": read.get("duration_days", ""), "quality": read.get("quality", "")})
    return rows


def is_gp(tender: Tender) -> bool:
    return tender.category == Category.GOVERNMENT


def gp_decision_due(report: Report) -> datetime:
    """The end of the purchaser's decision period: midnight (Beijing time) after the GP_AWARD_DECISION_WORKING_DAYS-th
    working day after the report was completed (87号令 art. 68: within 5 working days of receiving it)."""
    last = add_working_days(timezone.localtime(report.completed_at).date(), settings.GP_AWARD_DECISION_WORKING_DAYS)
    return timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))


def publicity_start(*, actor: Actor, lot_id: int) -> Publicity:
    """The operator publishes the recommended candidates once the report is signed (实施条例 art. 54: within
    3 days of receiving the report, for at least 3 days)."""
    committee = _committee(lot_id)
    if not is_operator(actor, committee.lot.tender):
        raise PermissionDenied(_("Only the agency running the tender publishes its candidates."))
    _not_cancelled(committee.lot.tender)
    if is_gp(committee.lot.tender):
        raise IllegalTransition(_("Government procurement publishes no candidates before the award: the purchaser "
                                  "chooses the winner from the report within %(n)d working days (87号令 art. 68), "
                                  "then the result is announced.")
                                % {"n": settings.GP_AWARD_DECISION_WORKING_DAYS}, code="gp_no_publicity")
    candidates = _candidates(committee)
    if committee.stage == Stage.REPORTED and not candidates:
        raise IllegalTransition(_("The report recommends no candidate: there is nothing to publish."))
    now = clock.now()
    ends = now + timedelta(days=settings.PUBLICITY_DAYS)
    with transaction.atomic():
        stage_move(actor, committee, Stage.PUBLICITY, data={
            "lot": committee.lot_id, "starts_at": now, "ends_at": ends,
            "candidates": [[c["rank"], c["bid"], c["bidder"], c["price"], c["total"]] for c in candidates]})
        publicity = Publicity.objects.create(lot_id=committee.lot_id, starts_at=now, ends_at=ends,
                                             candidates=candidates)
    return publicity


def publicity_for(*, actor: Actor, lot_id: int) -> dict:
    """The published candidates of a lot, for anyone who may see the tender: rank, bidder, price, score; the
    count of objections; the winner once confirmed. No member of the committee is named."""
    publicity = Publicity.objects.select_related("lot__tender").filter(lot_id=lot_id).first()
    if publicity is None or not tender_can(actor, publicity.lot.tender, TenderAction.VIEW):
        raise NotFound(_("No published candidates for this lot."))
    lot, tender, now = publicity.lot, publicity.lot.tender, clock.now()
    objections = list(publicity.objections.values_list("answered_at", flat=True))
    award = Award.objects.select_related("bid__bidder").filter(lot=lot).first()
    return {
        "tender": {"id": tender.pk, "reference": tender.reference or "", "title": tender.title},
        "lot": {"id": lot.pk, "number": lot.number, "name": lot.name},
        "starts_at": publicity.starts_at, "ends_at": publicity.ends_at, "server_time": now,
        "running": publicity.starts_at <= now < publicity.ends_at,
        "candidates": [{k: c.get(k) for k in ("rank", "bid", "bidder", "price", "total", "duration_days", "quality")}
                       for c in publicity.candidates],
        "objections": {"raised": len(objections), "open": sum(a is None for a in objections)},
        "award": None if award is None else {"bidder": award.bid.bidder.name, "price": str(award.price),
                                             "confirmed_at": award.confirmed_at, "deemed": award.deemed},
        "gp": is_gp(tender),
    }


def gp_decision_for(actor: Actor, committee: Committee) -> dict | None:
    """Government procurement, a signed report, no award yet: the decision period and the report's candidates,
    for the lot's progress page (the purchaser decides; its agency and officials see the deadline)."""
    tender = committee.lot.tender
    if not is_gp(tender) or committee.stage != Stage.REPORTED:
        return None
    report = Report.objects.filter(committee=committee, completed_at__isnull=False).first()
    if report is None:
        return None
    return {"due": gp_decision_due(report), "candidates": _candidates(committee),
            "can_decide": is_tenderer(actor, tender) and tender.status != TenderStatus.CANCELLED}


# --- Objections --------------------------------------------------------------------------------------------

def objection_raise(*, actor: Actor, lot_id: int, text: str) -> AwardObjection:
    """A bidder of the lot objects to the candidates while the publicity runs (实施条例 art. 54)."""
    publicity = Publicity.objects.select_related("lot__tender").filter(lot_id=lot_id).first()
    if publicity is None:
        raise NotFound(_("No published candidates for this lot."))
    bid_in = Bid.objects.filter(lot_id=lot_id, bidder_id=actor.organisation_id, status=BidStatus.SUBMITTED)
    if not (actor.role == "bidder" and _approved(actor) and bid_in.exists()):
        raise PermissionDenied(_("Only a bidder in this lot may object to its candidates."))
    if is_gp(publicity.lot.tender):
        raise IllegalTransition(_("In government procurement the result is challenged (质疑) in writing to the "
                                  "purchaser or its agency within 7 working days of the announcement (政府采购法 art. "
                                  "52), not by an objection to candidates."), code="gp_challenge")
    body = _text(text, "text", _("Write the objection: what you object to and why."))
    _not_cancelled(publicity.lot.tender)
    tender_id = publicity.lot.tender_id
    with transaction.atomic():
        locked = Publicity.objects.select_for_update().get(pk=publicity.pk)
        now = clock.now()
        if now >= locked.ends_at:
            raise IllegalTransition(_("The publicity of the candidates ended at %(ends)s; the server time is "
                                      "%(now)s. Objections are raised during the publicity (招标投标法实施条例 "
                                      "art. 54). Nothing was recorded.") % {"ends": at(locked.ends_at), "now": at(now)},
                                    code="too_late")
        objection = AwardObjection.objects.create(
            publicity=locked, bidder=actor.organisation, text=body, raised_by=actor.user, raised_at=now,
            answer_due=now + timedelta(days=settings.PUBLICITY_ANSWER_DAYS))
        committee = Committee.objects.get(lot_id=lot_id)
        event_record(actor=actor, action="evaluation.objection_raised", subject=committee, tender_id=tender_id,
                     data={"lot": lot_id, "objection": objection.pk, "bidder": actor.organisation_id, "text": body,
                           "answer_due": objection.answer_due})
        broadcast(committee)
    return objection


def objection_answer(*, actor: Actor, objection_id: int, answer: str) -> AwardObjection:
    """The operator answers (within PUBLICITY_ANSWER_DAYS days; a late answer is recorded as late)."""
    objection = AwardObjection.objects.select_related("publicity__lot__tender").filter(pk=objection_id).first()
    if objection is None:
        raise NotFound(_("No such objection."))
    lot = objection.publicity.lot
    if not is_operator(actor, lot.tender):
        raise PermissionDenied(_("Only the agency running the tender answers objections to its candidates."))
    body = _text(answer, "answer", _("Write the answer to the objection."))
    with transaction.atomic():
        Publicity.objects.select_for_update().get(pk=objection.publicity_id)  # the award's lock order
        locked = AwardObjection.objects.select_for_update().get(pk=objection.pk)
        if locked.answered_at is not None:
            raise IllegalTransition(_("This objection was already answered at %(t)s.") % {"t": at(locked.answered_at)})
        now = clock.now()
        locked.answer, locked.answered_by, locked.answered_at = body, actor.user, now
        locked.save(update_fields=["answer", "answered_by", "answered_at"])
        committee = Committee.objects.get(lot=lot)
        event_record(actor=actor, action="evaluation.objection_answered", subject=committee, tender_id=lot.tender_id,
                     data={"lot": lot.pk, "objection": locked.pk, "answer": body, "late": now > locked.answer_due})
        broadcast(committee)
    return locked


def objections_for(*, actor: Actor, lot_id: int) -> list[AwardObjection]:
    """The parties and officials see every objection to a lot's candidates; a bidder sees its own."""
    publicity = Publicity.objects.select_related("lot__tender").filter(lot_id=lot_id).first()
    if publicity is None or not tender_can(actor, publicity.lot.tender, TenderAction.VIEW):
        raise NotFound(_("No published candidates for this lot."))
    tender = publicity.lot.tender
    rows = publicity.objections.select_related("bidder")
    if (_approved(actor) and (actor.role in {"regulator", "centre"}
                              or actor.organisation_id in {tender.tenderer_id, tender.operator_id})):
        return list(rows)
    return list(rows.filter(bidder_id=actor.organisation_id)) if _approved(actor) else []


# --- Award -------------------------------------------------------------------------------------------------

def _winner(candidates: list[dict], bid_id: int | None, passed_over) -> tuple[dict, list[dict]]:
    """The chosen candidate and the reasons for every candidate ranked above it (实施条例 art. 55)."""
    ordered = sorted(candidates, key=lambda c: c["rank"])
    by_bid = {c["bid"]: c for c in ordered}
    reasons: dict[int, str] = {}
    for item in passed_over or ():
        try:
            bid = int(item["bid"])
        except (KeyError, TypeError, ValueError):
            raise DomainError(_("Each candidate passed over is given as a bid and a reason."), field="passed_over")
        if bid not in by_bid:
            raise DomainError(_("Only a published candidate can be passed over."), field="passed_over")
        reasons[bid] = (item.get("reason") or "").strip()[:TEXT_MAX]
    if bid_id is None:
        chosen = next((c for c in ordered if c["bid"] not in reasons), None)
        if chosen is None:
            raise DomainError(_("Every candidate has been passed over: no candidate is left to award; the tender "
                                "must be evaluated again or tendered again (招标投标法实施条例 art. 55)."),
                              field="passed_over")
    else:
        try:
            chosen = by_bid.get(int(bid_id))
        except (TypeError, ValueError):
            chosen = None
        if chosen is None:
            raise DomainError(_("The winner must be one of the published candidates."), field="bid")
    above = [c for c in ordered if c["rank"] < chosen["rank"]]
    if set(reasons) - {c["bid"] for c in above}:
        raise DomainError(_("Only candidates ranked above the winner are passed over."), field="passed_over")
    missing = [c for c in above if not reasons.get(c["bid"])]
    if missing:
        raise DomainError(_("The winner is the first-ranked candidate unless it declined or was disqualified. To "
                            "pass over %(who)s, record the reason (招标投标法实施条例 art. 55).")
                          % {"who": "、".join(f"{c['rank']}. {c['bidder']}" for c in missing)}, field="passed_over")
    return chosen, [{"bid": c["bid"], "bidder": c["bidder"], "rank": c["rank"], "reason": reasons[c["bid"]]}
                    for c in above]


def award_confirm(*, actor: Actor, lot_id: int, bid_id: int | None = None, passed_over=()) -> Award:
    """The tenderer confirms the winner (定标) once the publicity has ended and no objection is open; in
    government procurement, from the report, within its decision period."""
    committee = _committee(lot_id)
    lot, tender = committee.lot, committee.lot.tender
    if not is_tenderer(actor, tender):
        raise PermissionDenied(_("Only the tenderer, %(org)s, confirms the winner.") % {"org": tender.tenderer.name})
    _not_cancelled(tender)
    if is_gp(tender):
        return _gp_award(actor, committee, bid_id=bid_id, passed_over=passed_over)
    with transaction.atomic():
        publicity = Publicity.objects.select_for_update().filter(lot=lot).first()
        locked = Committee.objects.select_for_update().get(pk=committee.pk)
        if locked.stage == Stage.AWARDED:
            raise IllegalTransition(_("This lot is already awarded."))
        if publicity is None or locked.stage != Stage.PUBLICITY:
            raise IllegalTransition(_("The winner is confirmed after the candidates' publicity; the evaluation is at "
                                      "“%(stage)s”.") % {"stage": locked.get_stage_display()}, code="wrong_stage")
        now = clock.now()
        if now < publicity.ends_at:
            raise IllegalTransition(_("The publicity of the candidates runs until %(ends)s; the server time is "
                                      "%(now)s. The winner is confirmed after it ends.")
                                    % {"ends": at(publicity.ends_at), "now": at(now)}, code="publicity_running")
        unanswered = list(publicity.objections.filter(answered_at__isnull=True).select_related("bidder"))
        if unanswered:
            raise IllegalTransition(_("The award is paused while objections are unanswered (招标投标法实施条例 art. "
                                      "54): %(list)s.") % {"list": "; ".join(
                                          _("objection no. %(n)s by %(bidder)s, raised %(raised)s, answer due %(due)s")
                                          % {"n": o.pk, "bidder": o.bidder.name, "raised": at(o.raised_at),
                                             "due": at(o.answer_due)} for o in unanswered)},
                                    code="objection_open")
        chosen, passed = _winner(publicity.candidates, bid_id, passed_over)
        return _award(actor, locked, chosen, passed, now)


def _award(actor: Actor, locked: Committee, chosen: dict, passed: list[dict], now, *, deemed: bool = False) -> Award:
    """Record the winner, move the lot to awarded, reveal the draws, render the notice after commit (inside the
    caller's transaction, which holds the committee's row)."""
    lot = locked.lot
    result = Result.objects.select_related("bid__bidder").get(committee=locked, bid_id=chosen["bid"])
    if result.price is None:
        raise IllegalTransition(_("The chosen bid has no evaluated price."))
    award = Award.objects.create(lot=lot, bid=result.bid, price=result.price, budget=lot.budget, passed_over=[
        {"bid": p["bid"], "reason": p["reason"]} for p in passed], confirmed_by=actor.user, confirmed_at=now,
        deemed=deemed)
    stage_move(actor, locked, Stage.AWARDED, data={
        "lot": lot.pk, "award": award.pk, "bid": result.bid_id, "bidder": result.bid.bidder_id,
        "bidder_name": result.bid.bidder.name, "rank": result.rank, "price": award.price, "budget": award.budget,
        "savings_rate": savings_figures(award.budget, award.price)["rate"], "passed_over": passed,
        **({"deemed": True} if deemed else {})})
    _reveal_draws(lot.tender_id)
    award_id = award.pk

    def render() -> None:
        from evaluation.tasks import award_notice_render

        award_notice_render.delay(award_id)

    transaction.on_commit(render)
    return award


def _gp_locked(committee: Committee) -> tuple[Committee, Report]:
    locked = Committee.objects.select_for_update().select_related("lot__tender").get(pk=committee.pk)
    if locked.stage == Stage.AWARDED:
        raise IllegalTransition(_("This lot is already awarded."))
    report = Report.objects.filter(committee=locked).first()
    if locked.stage != Stage.REPORTED or report is None or report.completed_at is None:
        raise IllegalTransition(_("The winner is chosen from the signed evaluation report; the evaluation is at "
                                  "“%(stage)s”.") % {"stage": locked.get_stage_display()}, code="wrong_stage")
    return locked, report


def _gp_announce(locked: Committee, candidates: list[dict], now) -> None:
    """The result announcement (中标（成交）结果公告): the report's candidates and the winner, for
    GP_RESULT_NOTICE_WORKING_DAYS working days, shown on the lot's result page."""
    ends = timezone.make_aware(datetime.combine(
        add_working_days(timezone.localtime(now).date(), settings.GP_RESULT_NOTICE_WORKING_DAYS), time.max))
    Publicity.objects.create(lot_id=locked.lot_id, starts_at=now, ends_at=ends, candidates=candidates)


def _gp_award(actor: Actor, committee: Committee, *, bid_id, passed_over) -> Award:
    with transaction.atomic():
        locked, report = _gp_locked(committee)
        now = clock.now()
        due = gp_decision_due(report)
        if now >= due:
            raise IllegalTransition(_("The purchaser's %(n)d working days to choose ended at %(due)s; the first-ranked "
                                      "candidate is deemed chosen (87号令 art. 68).")
                                    % {"n": settings.GP_AWARD_DECISION_WORKING_DAYS, "due": at(due)},
                                    code="decision_period_over")
        candidates = _candidates(locked)
        chosen, passed = _winner(candidates, bid_id, passed_over)
        award = _award(actor, locked, chosen, passed, now)
        _gp_announce(locked, candidates, now)
    return award


GP_DEEMED = Actor.system("gp-deemed-award")


def gp_award_advance(lot_id: int) -> Award | None:
    """Government procurement: once the purchaser's decision period is over without a decision, the first-ranked
    candidate is deemed chosen (87号令 art. 68). Safe to call on every visit; returns the award it made."""
    committee = Committee.objects.select_related("lot__tender").filter(lot_id=lot_id).first()
    if committee is None or not is_gp(committee.lot.tender) or committee.stage != Stage.REPORTED:
        return None
    report = Report.objects.filter(committee=committee, completed_at__isnull=False).first()
    if report is None or clock.now() < gp_decision_due(report) or committee.lot.tender.status == TenderStatus.CANCELLED:
        return None
    with transaction.atomic():
        try:
            locked, report = _gp_locked(committee)
        except IllegalTransition:
            return None  # decided meanwhile
        now = clock.now()
        candidates = _candidates(locked)
        if not candidates:
            return None
        first = min(candidates, key=lambda c: c["rank"])
        award = _award(GP_DEEMED, locked, first, [], now, deemed=True)
        _gp_announce(locked, candidates, now)
    return award


def gp_awards_advance() -> int:
    """Beat task: deem the awards that are due. Returns how many lots were looked at."""
    lots = list(Committee.objects.filter(stage=Stage.REPORTED, lot__tender__category=Category.GOVERNMENT)
                .values_list("lot_id", flat=True))
    for lot_id in lots:
        gp_award_advance(lot_id)
    return len(lots)


def _reveal_draws(tender_id: int) -> None:
    """Once the whole tender is awarded the committee lists are public (experts.permissions): reveal the draws'
    seeds in the same transaction so anyone can recompute them."""
    from experts.models import Draw
    from experts.services.responses import draw_reveal_if_public

    for draw in Draw.objects.select_related("tender").filter(tender_id=tender_id):
        draw_reveal_if_public(draw)


# --- Savings (节约率) ----------------------------------------------------------------------------------------

def savings_figures(budget: Decimal, awarded: Decimal) -> dict:
    """budget, awarded, saved = budget − awarded, rate = saved ÷ budget to 4 decimals (None without a budget)."""
    saved = budget - awarded
    rate = (saved / budget).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if budget else None
    return {"budget": budget, "awarded": awarded, "saved": saved, "rate": rate}


def savings(target) -> dict:
    """The savings of the awarded lots of a tender, or of a queryset (or list) of lots; lots not yet awarded do
    not count. Amounts are summed as Decimals in Python, never as floats in the database."""
    awards = Award.objects.filter(lot__tender=target) if isinstance(target, Tender) else \
        Award.objects.filter(lot__in=target)
    budget, awarded = Decimal("0.00"), Decimal("0.00")
    for b, p in awards.values_list("budget", "price"):
        budget += b
        awarded += p
    return savings_figures(budget, awarded)

