"""The stages of a lot's evaluation (one table, witness.transitions), the tender's status following its lots,
and the live progress broadcast (after commit, to evaluation-<lot>; consumers only relay)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bidding.lifecycle import tender_transition
from bidding.models import Category, Tender
from bidding.models import TenderStatus as S
from core.actor import Actor
from evaluation.models import Committee, Stage
from witness.transitions import transition

TRANSITIONS: dict[tuple[str, str], str] = {
    (Stage.ELECTING, Stage.REVIEWING): "evaluation.leader_elected",
    (Stage.REVIEWING, Stage.SCORING): "evaluation.review_closed",
    (Stage.REVIEWING, Stage.SUMMARY): "evaluation.review_closed",  # lowest evaluated price: nothing to score
    (Stage.REVIEWING, Stage.FAILED): "evaluation.failed",
    (Stage.SCORING, Stage.SUMMARY): "evaluation.summarised",
    (Stage.SUMMARY, Stage.SIGNING): "evaluation.report_generated",
    (Stage.SIGNING, Stage.REPORTED): "evaluation.report_completed",
    (Stage.REPORTED, Stage.PUBLICITY): "evaluation.publicity_started",
    (Stage.PUBLICITY, Stage.AWARDED): "evaluation.awarded",
    (Stage.REPORTED, Stage.AWARDED): "evaluation.awarded",  # government procurement (RULES M7)
}

# Tender status once every lot's committee (or failed opening) has reached a stage.
TENDER_FOLLOWS = [
    (Stage.AWARDED, S.PUBLICITY, S.AWARDED),
    (Stage.PUBLICITY, S.EVALUATED, S.PUBLICITY),
    (Stage.REPORTED, S.EVALUATING, S.EVALUATED),
]
# Government procurement publishes no candidates: the purchaser decides from the report (RULES M7).
GP_TENDER_FOLLOWS = [
    (Stage.AWARDED, S.EVALUATED, S.AWARDED),
    (Stage.REPORTED, S.EVALUATING, S.EVALUATED),
]
ORDER = [Stage.ELECTING, Stage.REVIEWING, Stage.SCORING, Stage.SUMMARY, Stage.SIGNING, Stage.REPORTED,
         Stage.PUBLICITY, Stage.AWARDED]


def stage_move(actor: Actor, committee: Committee, to: str, *, data: dict | None = None,
               changes: dict | None = None) -> Committee:
    moved = transition(
        actor=actor, instance=committee, to=to, table=TRANSITIONS, field="stage", data=data, changes=changes,
        tender_id=lambda row: row.lot.tender_id,
        refusal=lambda row: _("The evaluation is at “%(stage)s”; it cannot move to “%(to)s”.")
        % {"stage": row.get_stage_display(), "to": Stage(to).label})
    tender_sync(actor, moved.lot.tender_id)
    broadcast(moved)
    return moved


def tender_sync(actor: Actor, tender_id: int) -> None:
    """Move the tender along with its lots: evaluating at the first committee; once every opened lot has a
    committee, failed if all failed, else evaluated / in publicity / awarded when every live lot is."""
    tender = Tender.objects.select_for_update().get(pk=tender_id)
    stages = dict(Committee.objects.filter(lot__tender=tender).values_list("lot_id", "stage"))
    if tender.status == S.OPENED and stages:
        tender = tender_transition(actor=actor, tender=tender, to=S.EVALUATING)
    opened = set(tender.lots.filter(opening__status="closed").values_list("pk", flat=True))
    if not opened or not opened <= set(stages):
        return
    live = [stages[pk] for pk in opened if stages[pk] != Stage.FAILED]
    if not live:
        if tender.status == S.EVALUATING:
            tender_transition(actor=actor, tender=tender, to=S.FAILED, data={"reason": "no valid bid in any lot"})
        return
    follows = GP_TENDER_FOLLOWS if tender.category == Category.GOVERNMENT else TENDER_FOLLOWS
    for stage, before, after in reversed(follows):
        if all(ORDER.index(s) >= ORDER.index(stage) for s in live) and tender.status == before:
            tender = tender_transition(actor=actor, tender=tender, to=after)


def broadcast(committee: Committee) -> None:
    lot_id = committee.lot_id

    def send() -> None:
        from evaluation.progress import progress_broadcast

        progress_broadcast(lot_id)

    transaction.on_commit(send)
