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


class HallAction(StrEnum):
    WATCH = "watch"  # see the hall: bids listed, who has decrypted, the readout, objections
    HOST = "host"  # start decryption, answer objections
    RELEASE = "release"  # release a data key or a backup for one's own listed bid
    RESPOND = "respond"  # confirm the readout or object
    RECLASSIFY = "reclassify"  # record that a decryption failure was the platform's fault


def _listed_bidder(actor: Actor, opening) -> bool:
    return (actor.role == "bidder" and _approved(actor)
            and opening.bids.filter(bid__bidder_id=actor.organisation_id).exists())


def hall_can(actor: Actor, opening, action: HallAction, *, lot=None) -> bool:
    """What each role may do at a lot's opening (`opening` None: it has not begun; then only WATCH, for
    those who will be in the hall: the parties, regulators, the centre and bidders with a bid in)."""
    tender = (opening.lot if opening is not None else lot).tender
    officials = actor.role in {"regulator", "centre"} and _approved(actor)
    if opening is None:
        if action != HallAction.WATCH:
            return False
        if officials or is_party(actor, tender):
            return True
        from bidding.models import Bid, BidStatus

        return (actor.role == "bidder" and _approved(actor)
                and Bid.objects.filter(lot=lot, bidder_id=actor.organisation_id, status=BidStatus.SUBMITTED).exists())
    if action == HallAction.WATCH:
        if opening.record_published_at is not None or opening.status == "failed":
            return True  # the record (or the reason it failed) is public
        return officials or is_party(actor, tender) or _listed_bidder(actor, opening)
    if action == HallAction.HOST:
        return is_operator(actor, tender)
    if action in (HallAction.RELEASE, HallAction.RESPOND):
        return _listed_bidder(actor, opening)
    if action == HallAction.RECLASSIFY:
        return actor.role == "centre" and _approved(actor)
    return False
