"""Links the tender page offers per lot: the operator's evaluation scheme before the deadline; the evaluation
(progress, or the member's workspace) once the lot is opened."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from bidding.hooks import LotAction
from bidding.models import Opening
from bidding.permissions import is_operator
from core import clock
from evaluation.models import Committee
from evaluation.permissions import EvalAction, committee_can, member_of
from evaluation.services.schemes import EDITABLE


def evaluation_lot_actions(actor, lot) -> list[LotAction]:
    tender = lot.tender
    actions = []
    if is_operator(actor, tender) and tender.status in EDITABLE and clock.now() < tender.bid_deadline:
        actions.append(LotAction(label=_("Evaluation scheme"), url=reverse("evaluation:scheme", args=[lot.pk])))
    committee = Committee.objects.filter(lot=lot).select_related("lot__tender").first()
    if committee is not None:
        if member_of(actor, committee) is not None:
            actions.append(LotAction(label=_("My evaluation workspace"),
                                     url=reverse("evaluation:workspace", args=[lot.pk])))
        elif committee_can(actor, committee, EvalAction.WATCH):
            actions.append(LotAction(label=_("Evaluation progress"), url=reverse("evaluation:progress", args=[lot.pk])))
    elif is_operator(actor, tender) and Opening.objects.filter(lot=lot, record_published_at__isnull=False).exists():
        actions.append(LotAction(label=_("Form the evaluation committee"),
                                 url=reverse("evaluation:progress", args=[lot.pk])))
    if committee is not None and committee.stage in {"publicity", "awarded"}:
        actions.append(LotAction(label=_("Candidates and award"), url=reverse("evaluation:publicity", args=[lot.pk])))
    return actions
