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

from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.actor import Actor
from core.errors import IllegalTransition
from experts.models import Draw, DrawStatus, Selection, SelectionState
from witness.services import event_record

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
                    changes: dict[str, Any] | None = None) -> Draw:
    with transaction.atomic():
        locked = Draw.objects.select_for_update().get(pk=draw.pk)
        action = DRAW_TRANSITIONS.get((locked.status, to))
        if action is None:
            raise IllegalTransition(_("Draw #%(id)d is %(status)s and cannot become %(to)s.")
                                    % {"id": locked.pk, "status": locked.get_status_display(), "to": D(to).label})
        before = locked.status
        locked.status = to
        fields = ["status"]
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
            fields.append(name)
        locked.save(update_fields=fields)
        event_record(actor=actor, action=action, subject=locked, tender_id=locked.tender_id,
                     data={"from": before, "to": to, "lot": locked.lot_id, **(data or {})})
    for name in ["status", *(changes or {})]:
        setattr(draw, name, getattr(locked, name))
    return locked


def selection_transition(*, actor: Actor, selection: Selection, to: str, data: dict[str, Any] | None = None,
                         reason: str = "") -> Selection:
    with transaction.atomic():
        locked = Selection.objects.select_for_update().get(pk=selection.pk)
        action = SELECTION_TRANSITIONS.get((locked.state, to))
        if action is None:
            raise IllegalTransition(_("This invitation is already %(state)s; nothing was changed.")
                                    % {"state": locked.get_state_display()})
        before = locked.state
        locked.state = to
        locked.responded_at = clock.now()
        locked.reason = reason[:300]
        locked.save(update_fields=["state", "responded_at", "reason"])
        event_record(actor=actor, action=action, subject=locked,
                     data={"from": before, "to": to, "draw": locked.draw_id, "expert": locked.expert_id,
                           "sequence": locked.sequence, **(data or {})})
    selection.state, selection.responded_at, selection.reason = locked.state, locked.responded_at, locked.reason
    return locked
