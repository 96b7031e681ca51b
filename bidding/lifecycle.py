"""The life of a tender (DESIGN.md §6): one table of allowed moves, one function that moves.

Who may ask for a move is checked by the service that asks; this module only
knows which moves exist, and makes each one atomically: lock, check, record, save."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from bidding.models import Tender
from bidding.models import TenderStatus as S
from core.actor import Actor
from witness.transitions import transition

# (from, to) -> ledger action
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, S.SUBMITTED): "tender.submitted",
    (S.RETURNED, S.SUBMITTED): "tender.resubmitted",
    (S.SUBMITTED, S.PUBLISHED): "tender.approved",
    (S.SUBMITTED, S.RETURNED): "tender.returned",
    (S.PUBLISHED, S.OPENING): "tender.opening_started",
    (S.OPENING, S.OPENED): "tender.opened",
    (S.OPENING, S.FAILED): "tender.failed_at_opening",
    (S.OPENED, S.EVALUATING): "tender.evaluation_started",
    (S.OPENED, S.FAILED): "tender.failed",
    (S.EVALUATING, S.EVALUATED): "tender.evaluated",
    (S.EVALUATING, S.FAILED): "tender.failed_at_evaluation",
    (S.EVALUATED, S.PUBLICITY): "tender.candidates_published",
    (S.PUBLICITY, S.EVALUATING): "tender.reevaluation_ordered",
    (S.PUBLICITY, S.AWARDED): "tender.awarded",
    (S.EVALUATED, S.AWARDED): "tender.awarded",  # government procurement: no candidate publicity (RULES M7)
    (S.AWARDED, S.ARCHIVED): "tender.archived",
    (S.FAILED, S.ARCHIVED): "tender.archived",
    (S.CANCELLED, S.ARCHIVED): "tender.archived",
    **{(state, S.CANCELLED): "tender.cancelled" for state in (
        S.DRAFT, S.SUBMITTED, S.RETURNED, S.PUBLISHED, S.OPENING, S.OPENED, S.EVALUATING, S.EVALUATED, S.PUBLICITY)},
}

EDITABLE = {S.DRAFT, S.RETURNED}


def allowed_targets(status: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == status]


def tender_transition(
    *, actor: Actor, tender: Tender, to: str, data: dict[str, Any] | None = None, changes: dict[str, Any] | None = None,
) -> Tender:
    """Move a tender to `to`, or raise IllegalTransition. Returns the locked, updated row.

    `changes` are further fields set in the same save (for example published_at)."""
    return transition(
        actor=actor, instance=tender, to=to, table=TRANSITIONS, changes=changes, data=data,
        tender_id=lambda row: row.pk, also_save=["updated_at"],
        refusal=lambda row: _("Tender “%(title)s” is %(status)s and cannot become %(to)s.")
        % {"title": row.title, "status": row.get_status_display(), "to": S(to).label},
    )
