"""What each role may do to a tender: the matrix the tests walk (role × own/other × action)."""

from __future__ import annotations

from enum import StrEnum

from bidding.lifecycle import EDITABLE
from bidding.models import Tender
from bidding.models import TenderStatus as S
from core import clock
from core.actor import Actor


class TenderAction(StrEnum):
    VIEW = "view"
    EDIT = "edit"
    SUBMIT = "submit"
    REVIEW = "review"
    CLARIFY = "clarify"
    CANCEL = "cancel"
    VIEW_LEDGER = "view_ledger"


CANCELLABLE = {S.DRAFT, S.SUBMITTED, S.RETURNED, S.PUBLISHED}


def _approved(actor: Actor) -> bool:
    return actor.organisation is not None and actor.organisation.is_approved


def is_operator(actor: Actor, tender: Tender) -> bool:
    return _approved(actor) and actor.organisation_id == tender.operator_id


def is_party(actor: Actor, tender: Tender) -> bool:
    """The tenderer and its agency: the organisations a tender belongs to."""
    return _approved(actor) and actor.organisation_id in {tender.tenderer_id, tender.agency_id}


def tender_can(actor: Actor, tender: Tender, action: TenderAction) -> bool:
    now = clock.now()
    if action == TenderAction.VIEW:
        if tender.is_public(now):
            return True
        if actor.role == "regulator" and _approved(actor):
            return True
        if actor.role == "centre" and _approved(actor):
            return tender.status != S.DRAFT
        return is_party(actor, tender)
    if action in (TenderAction.EDIT, TenderAction.SUBMIT):
        return tender.status in EDITABLE and is_operator(actor, tender)
    if action == TenderAction.REVIEW:
        return tender.status == S.SUBMITTED and actor.role == "centre" and _approved(actor)
    if action == TenderAction.CLARIFY:
        return tender.status == S.PUBLISHED and now < tender.bid_deadline and is_operator(actor, tender)
    if action == TenderAction.CANCEL:
        if tender.status not in CANCELLABLE:
            return False
        return is_operator(actor, tender) or (
            actor.role == "centre" and _approved(actor) and tender.status != S.DRAFT)
    if action == TenderAction.VIEW_LEDGER:
        # Only for someone who may see the tender at all (the centre does not see drafts).
        return tender_can(actor, tender, TenderAction.VIEW) and (
            (actor.role in {"regulator", "centre"} and _approved(actor)) or is_party(actor, tender))
    return False
