"""Who may do what to a finding: the matrix the tests walk (role × own/other × action)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from agencies.models import Finding
from agencies.models import FindingStatus as F
from core.actor import Actor

OVERSEERS = {"regulator", "centre"}


class FindingAction(StrEnum):
    VIEW = "view"
    RESPOND = "respond"
    DECIDE = "decide"
    APPEAL = "appeal"
    DECIDE_APPEAL = "decide_appeal"


def _approved(actor: Actor) -> bool:
    return actor.organisation is not None and actor.organisation.is_approved


def is_overseer(actor: Actor) -> bool:
    """The regulator and the trading centre keep the directory, record findings and decide them."""
    return actor.role in OVERSEERS and _approved(actor)


def is_own(actor: Actor, agency_id: int) -> bool:
    return actor.role == "agency" and _approved(actor) and actor.organisation_id == agency_id


def may_record(actor: Actor) -> bool:
    return is_overseer(actor)


def may_edit_profile(actor: Actor, agency_id: int) -> bool:
    """The intermediary keeps its own profile and staff; the trading centre may correct them."""
    return is_own(actor, agency_id) or (actor.role == "centre" and _approved(actor))


def finding_can(actor: Actor, finding: Finding, action: FindingAction, today: date) -> bool:
    own = is_own(actor, finding.agency_id)
    if action == FindingAction.VIEW:
        return own or is_overseer(actor)
    if action == FindingAction.RESPOND:
        return own and finding.status == F.NOTIFIED and today <= finding.response_due
    if action == FindingAction.DECIDE:
        if not is_overseer(actor):
            return False
        return finding.status in (F.RESPONDED, F.ACCEPTED) or (
            finding.status == F.NOTIFIED and today > finding.response_due)
    if action == FindingAction.APPEAL:
        return own and finding.status == F.CARDED and finding.appeal_due is not None and today <= finding.appeal_due
    if action == FindingAction.DECIDE_APPEAL:
        # The final decision on an appeal belongs to the regulator.
        return actor.role == "regulator" and _approved(actor) and finding.status == F.APPEALED
    return False
