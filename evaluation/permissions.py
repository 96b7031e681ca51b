"""Who may do what in a lot's evaluation: the matrix tests/evaluation/test_permissions.py walks.

- Members (the drawn experts, the tenderer's representative) work: read bids, review, score, ask questions.
- The leader also concludes: records the committee's decisions and corrections at the summary.
- The agency, the tenderer, the regulator and the centre watch progress (who has submitted each step),
  never a score before the summary, never a member's name before the award (RULES X5, DESIGN §4.5) —
  except the regulator, who sees names throughout.
- Scores are hidden between members too: a member sees another's scores only once both have submitted."""

from __future__ import annotations

from enum import StrEnum

from bidding.permissions import is_operator, is_party
from core.actor import Actor


class EvalAction(StrEnum):
    WATCH = "watch"  # progress: stage, who has submitted each step (names per role rule)
    WORK = "work"  # read bids, review, score, ask
    LEAD = "lead"  # decisions and corrections at the summary
    SEE_NAMES = "see_names"
    SEE_RESULTS = "see_results"  # totals and ranking, once summarised


def _approved(actor: Actor) -> bool:
    return actor.organisation is not None and actor.organisation.is_approved


def member_of(actor: Actor, committee):
    if actor.user is None:
        return None
    return next((m for m in committee.members.all() if m.user_id == actor.user.pk), None)


def committee_can(actor: Actor, committee, action: EvalAction) -> bool:
    tender = committee.lot.tender
    officials = actor.role in {"regulator", "centre"} and _approved(actor)
    regulator = actor.role == "regulator" and _approved(actor)
    member = member_of(actor, committee)
    awarded = committee.stage == "awarded" or tender.status in {"awarded", "archived"}
    if action == EvalAction.WATCH:
        return officials or is_party(actor, tender) or member is not None
    if action == EvalAction.WORK:
        return member is not None and committee.stage not in {"awarded", "failed"}
    if action == EvalAction.LEAD:
        return member is not None and member.is_leader
    if action == EvalAction.SEE_NAMES:
        return regulator or awarded or member is not None
    if action == EvalAction.SEE_RESULTS:
        summarised = committee.summarised_at is not None
        return summarised and (officials or is_operator(actor, tender) or is_party(actor, tender)
                               or member is not None)
    return False
