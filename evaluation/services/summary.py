"""The summary: price scores, each bid's score (evaluation.scoring.aggregate), the ranking with ties broken as the
documents say or by the committee's lottery seed, the flags that need a recorded committee decision, and the
corrections the rules allow (87号令 art. 64: adding-up errors, scores out of range, inconsistent objective
scores, scores found abnormally high or low), each recorded with its reason."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core import clock
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, NotFound
from evaluation import scoring
from evaluation.models import Committee, Correction, Criterion, CriterionKind, Flag, Method, Result, Score, ScoredBy, \
    Stage, Step
from evaluation.permissions import EvalAction, member_of
from evaluation.services.committees import committee_for, tie_seed
from evaluation.services.stages import broadcast, stage_move
from evaluation.services.work import spec_of
from witness.services import event_record


def _specs(committee: Committee) -> tuple[list[scoring.CriterionSpec], Criterion | None]:
    members = list(committee.members.all())
    specs, price = [], None
    for c in Criterion.objects.filter(scheme__lot=committee.lot).order_by("position"):
        if c.kind == CriterionKind.PRICE:
            price = c
            specs.append(spec_of(c))
            continue
        experts = frozenset(m.pk for m in members if c.scored_by == ScoredBy.ALL or c.scored_by == m.branch)
        specs.append(spec_of(c, experts))
    return specs, price


def _sheets(committee: Committee) -> dict:
    sheets: dict = {m.pk: {} for m in committee.members.all()}
    for member_id, bid_id, criterion_id, points in Score.objects.filter(
            sheet__member__committee=committee, sheet__step=Step.SCORING).values_list(
            "sheet__member_id", "bid_id", "criterion_id", "points"):
        sheets[member_id].setdefault(bid_id, {})[criterion_id] = points
    return sheets


RESULT_FIELDS = ("compliant", "failed_requirements", "rank", "tie_broken_by", "total", "price_score", "recommended")


def _results_save(results: list[Result]) -> None:
    """What Result.objects.bulk_update(results, RESULT_FIELDS) does, as one plain UPDATE per row sent in one
    executemany (pipelined on PostgreSQL). bulk_update writes a CASE over every row for every field, and with
    50 bids building that statement cost more than computing the scores (bench/evaluation.py)."""
    if not results:
        return
    fields = [Result._meta.get_field(name) for name in RESULT_FIELDS]
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(Result._meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
           f"WHERE {quote(Result._meta.pk.column)} = %s")
    rows = [[f.get_db_prep_save(getattr(r, f.attname), connection) for f in fields] + [r.pk] for r in results]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def compute_results(actor: Actor, committee: Committee, *, with_flags: bool = True) -> list[Result]:
    """(Re)compute every compliant bid's price score, score and rank; store them on the Result rows."""
    scheme = committee.lot.scheme
    results = {r.bid_id: r for r in Result.objects.filter(committee=committee)}
    compliant = {bid: r for bid, r in results.items() if r.compliant}
    for bid, r in list(compliant.items()):
        if r.price is None:  # a summary without a readable price cannot be ranked
            r.compliant = False
            r.failed_requirements = [*r.failed_requirements, {"requirement": _("A readable bid price"), "passes": 0,
                                                             "members": 0, "reasons": [_("no readable price")]}]
            del compliant[bid]
    prices = {bid: r.price for bid, r in compliant.items()}
    seed = tie_seed(committee)
    flags: list[scoring.Flag] = []
    if scheme.method == Method.LOWEST_PRICE:
        ranking = scoring.rank(method=scoring.LOWEST_PRICE, prices=scoring.evaluated_prices(prices), seed=seed)
        scores = {}
    else:
        specs, price_criterion = _specs(committee)
        sheets = _sheets(committee)
        price_points = None
        if price_criterion is not None:
            formula = scoring.formula_for(scheme.price_formula)
            price_points = formula.score(prices, weight=price_criterion.max_points, params=scheme.formula_params)
        aggregated = scoring.aggregate(sheets, criteria=specs, price_points=price_points)
        scores = {bid: aggregated[bid] for bid in prices}
        ranking = scoring.rank(method=scoring.COMPREHENSIVE, prices=prices,
                               scores={bid: s.score for bid, s in scores.items()},
                               tie_key=scoring.tie_key_for(scheme.tie_rule, scores), seed=seed)
        if with_flags:
            flags += scoring.score_deviations(sheets, criteria=specs,
                                              threshold=Decimal(settings.SCORE_DEVIATION_THRESHOLD))
            flags += scoring.objective_inconsistencies(sheets, criteria=specs)
    if with_flags:
        flags = scoring.abnormally_low(prices, ceiling=committee.lot.ceiling_price,
                                       mean_ratio=Decimal(settings.ABNORMAL_LOW_OF_MEAN),
                                       second_ratio=Decimal(settings.ABNORMAL_LOW_OF_SECOND),
                                       ceiling_ratio=Decimal(settings.ABNORMAL_LOW_OF_CEILING)) + flags
    candidates = set(ranking.order[:settings.EVALUATION_MAX_CANDIDATES])
    by_bid = {row.bid: row for row in ranking.rows}
    for bid, r in results.items():
        row = by_bid.get(bid)
        r.rank = row.rank if row else None
        r.tie_broken_by = row.tie_broken_by if row else ""
        r.total = scores[bid].score if bid in scores else None  # lowest evaluated price: ranked by price alone
        r.price_score = scores[bid].price_points if bid in scores else None
        r.recommended = bid in candidates
    _results_save(list(results.values()))
    if with_flags:
        Flag.objects.filter(committee=committee, decided_at__isnull=True).delete()
        Flag.objects.bulk_create([Flag(committee=committee, kind=f.kind, bid_id=f.bid, member_id=f.expert, detail={
            "message": str(f.message), "reasons": list(f.reasons), "criterion": f.criterion,
            "value": str(f.value) if f.value is not None else None}) for f in flags])
    return sorted(results.values(), key=lambda r: (r.rank is None, r.rank or 0))


def summarise(actor: Actor, committee: Committee) -> Committee:
    now = clock.now()
    committee = stage_move(actor, committee, Stage.SUMMARY, changes={"summarised_at": now})
    results = compute_results(actor, committee)
    event_record(actor=actor, action="evaluation.summarised", subject=committee, tender_id=committee.lot.tender_id,
                 data={"ranking": [[r.bid_id, r.rank, str(r.total) if r.total is not None else None]
                                   for r in results if r.compliant],
                       "flags": Flag.objects.filter(committee=committee).count()})
    return committee


def _leader(actor: Actor, lot_id: int) -> tuple[Committee, object]:
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.LEAD)
    if committee.stage != Stage.SUMMARY:
        raise IllegalTransition(_("Decisions and corrections are recorded at the summary; the evaluation is at "
                                  "“%(stage)s”.") % {"stage": committee.get_stage_display()}, code="wrong_stage")
    return committee, member_of(actor, committee)


def flag_decide(*, actor: Actor, lot_id: int, flag_id: int, decision: str) -> Flag:
    """The leader records the committee's decision on a flag (for an abnormally low price: the reason, the
    process, the evidence and the conclusion, RULES M8)."""
    committee, leader = _leader(actor, lot_id)
    text = (decision or "").strip()
    if len(text) < 10:
        raise DomainError(_("Record the committee's decision with its reasons (at least a sentence)."),
                          field="decision")
    with transaction.atomic():
        flag = Flag.objects.select_for_update().filter(committee=committee, pk=flag_id).first()
        if flag is None:
            raise NotFound(_("No such finding in this evaluation."))
        if flag.decided_at is not None:
            raise IllegalTransition(_("The committee's decision on this finding is already recorded."))
        flag.decision, flag.decided_by, flag.decided_at = text[:8000], leader, clock.now()
        flag.save(update_fields=["decision", "decided_by", "decided_at"])
        event_record(actor=actor, action="evaluation.flag_decided", subject=committee,
                     tender_id=committee.lot.tender_id,
                     data={"flag": flag.pk, "kind": flag.kind, "bid": flag.bid_id, "decision": flag.decision})
        broadcast(committee)
    return flag


def score_correct(*, actor: Actor, lot_id: int, score_id: int, kind: str, points, reason: str) -> Correction:
    """Correct one submitted score for a reason the rules allow; the results are recomputed."""
    committee, leader = _leader(actor, lot_id)
    score = Score.objects.select_related("criterion", "sheet__member").filter(
        pk=score_id, sheet__member__committee=committee).first()
    if score is None:
        raise NotFound(_("No such score in this evaluation."))
    problems = scoring.correction_errors(kind=kind, reason=reason, criterion=spec_of(score.criterion), points=points)
    if problems:
        raise DomainError(problems[0], fields={"correction": problems})
    with transaction.atomic():
        locked = Score.objects.select_for_update().get(pk=score.pk)
        before = locked.points
        locked.points = scoring.to_decimal(points)
        locked.save(update_fields=["points"])
        correction = Correction.objects.create(committee=committee, score=locked, kind=kind, before=before,
                                               after=locked.points, reason=reason.strip()[:4000],
                                               recorded_by=leader, recorded_at=clock.now())
        event_record(actor=actor, action="evaluation.score_corrected", subject=committee,
                     tender_id=committee.lot.tender_id,
                     data={"score": locked.pk, "member": score.sheet.member.position, "bid": locked.bid_id,
                           "criterion": score.criterion.name, "kind": kind, "before": before, "after": locked.points,
                           "reason": correction.reason})
        compute_results(actor, committee, with_flags=False)
        broadcast(committee)
    return correction
