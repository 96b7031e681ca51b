"""Who may see and do what with a draw: the matrix tests/experts/test_permissions.py walks.

Confidentiality (RULES X5; DESIGN.md §4.5): until the award is final the tenderer, the agency and the
bidders see counts only ("5 of 5 confirmed"), never names; experts see only their own invitation; the
regulator sees everything. When the tender is awarded or archived the committee list is published with
the result: anyone who may see the tender sees the names, and the seed is revealed for verification."""

from __future__ import annotations

from enum import StrEnum

from bidding.hooks import known_bidders
from bidding.models import TenderStatus
from bidding.permissions import TenderAction, is_operator, is_party, tender_can
from core.actor import Actor
from experts.models import Draw

PUBLIC_STATUSES = {TenderStatus.AWARDED, TenderStatus.ARCHIVED}


class DrawAction(StrEnum):
    VIEW = "view"  # the draw's page: status and counts
    VIEW_NAMES = "view_names"  # who was drawn, who declined, exclusions
    RATE = "rate"
    VERIFY = "verify"


def _approved(actor: Actor) -> bool:
    return actor.organisation is not None and actor.organisation.is_approved


def committee_public(draw: Draw) -> bool:
    return draw.tender.status in PUBLIC_STATUSES


def is_bidder(actor: Actor, draw: Draw) -> bool:
    return _approved(actor) and actor.role == "bidder" and actor.organisation_id in known_bidders(draw.lot)


def draw_can(actor: Actor, draw: Draw, action: DrawAction) -> bool:
    tender = draw.tender
    regulator = actor.role == "regulator" and _approved(actor)
    if action == DrawAction.VIEW:
        if regulator or (actor.role == "centre" and _approved(actor)):
            return True
        if is_party(actor, tender) or is_bidder(actor, draw):
            return True
        return committee_public(draw) and tender_can(actor, tender, TenderAction.VIEW)
    if action == DrawAction.VIEW_NAMES:
        return regulator or (committee_public(draw) and draw_can(actor, draw, DrawAction.VIEW))
    if action == DrawAction.RATE:
        return is_operator(actor, tender)
    if action == DrawAction.VERIFY:
        return regulator or (committee_public(draw) and draw_can(actor, draw, DrawAction.VIEW))
    return False
