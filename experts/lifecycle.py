"""Two lifecycles, each one table of allowed moves and one function that moves (DESIGN.md §3).

A draw: requested → committed → drawn → confirming → complete, with stopped as the exit when a bucket
runs out; a complete committee goes back to confirming while a replacement (after a declared conflict)
awaits an answer. A selected expert: notified → confirmed / declined / timed_out; confirmed → replaced
when the expert declares a conflict.

Draw-level events carry the tender id (participants see the process in the tender's ledger); events
about one expert do not (only the regulator and the centre, who read the whole ledger, see them), so
the ledger never tells a participant who sits on the committee before the award."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core import clock
from core.actor import Actor
from experts.models import Draw, DrawStatus, Selection, SelectionState
from witness.transitions import transition

D = DrawStatus
DRAW_TRANSITIONS: dict[tuple[str, str], str] = {
    (D.REQUESTED, D.COMMITTED): "draw.committed",
    (D.REQUESTED, D.STOPPED): "draw.stopped",
    (D.COMMITTED, D.DRAWN): "draw.drawn",
    (D.COMMITTED, D.STOPPED): "draw.stopped",
    (D.DRAWN, D.CONFIRMING): "draw.notified",
    (D.CONFIRMING, D.COMPLETE): "draw.complete",
    (D.CONFIRMING, D.STOPPED): "draw.stopped",
    (D.COMPLETE, D.CONFIRMING): "draw.reopened",
}

X = SelectionState
SELECTION_TRANSITIONS: dict[tuple[str, str], str] = {
    (X.NOTIFIED, X.CONFIRMED): "expert.confirmed",
    (X.NOTIFIED, X.DECLINED): "expert.declined",
    (X.NOTIFIED, X.TIMED_OUT): "expert.timed_out",
    (X.CONFIRMED, X.REPLACED): "expert.conflict_declared",
}


def draw_transition(*, actor: Actor, draw: Draw, to: str, data: dict[str, Any] | None = None,
                    changes: dict[str, Any] | None = None, held: bool = False) -> Draw:
    """`held`: the caller locked `draw` in its transaction (see witness.transitions.transition)."""
    return transition(
        actor=actor, instance=draw, to=to, table=DRAW_TRANSITIONS, changes=changes, held=held,
        data={"lot": draw.lot_id, **(data or {})}, tender_id=lambda row: row.tender_id,
        refusal=lambda row: _("Draw #%(id)d is %(status)s and cannot become %(to)s.")
        % {"id": row.pk, "status": row.get_status_display(), "to": D(to).label},
    )


def selection_transition(*, actor: Actor, selection: Selection, to: str, data: dict[str, Any] | None = None,
                         reason: str = "") -> Selection:
    return transition(
        actor=actor, instance=selection, to=to, table=SELECTION_TRANSITIONS, field="state",
        changes={"responded_at": clock.now(), "reason": reason[:300]},
        data={"draw": selection.draw_id, "expert": selection.expert_id, "sequence": selection.sequence,
              **(data or {})},
        refusal=lambda row: _("This invitation is already %(state)s; nothing was changed.")
        % {"state": row.get_state_display()},
    )
