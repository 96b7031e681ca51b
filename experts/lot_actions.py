"""What the expert pool offers on the tender page for each lot (bidding.hooks.register_lot_actions)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from bidding.hooks import LotAction


def draw_request_action(actor, lot) -> list[LotAction]:
    """The tender's operator (its agency, or the tenderer running it itself) may request a draw for a lot
    of a tender that is published and not yet evaluated (experts.services.draws.DRAWABLE_TENDER_STATES)."""
    from experts.services.draws import DRAWABLE_TENDER_STATES

    tender = lot.tender
    organisation = getattr(actor, "organisation", None)
    if organisation is None or not organisation.is_approved or organisation.pk != tender.operator_id:
        return []
    if tender.status not in DRAWABLE_TENDER_STATES:
        return []
    return [LotAction(label=_("Request an expert draw"), url=reverse("experts:draw_request", args=[lot.pk]))]
