"""The centre's record of each expert (penalties, leave, suspension and retirement) and the expert's own
declared relationships (回避 data, RULES X6). Each write checks every field first, then changes one thing
and records one ledger event in the same transaction; bad input raises DomainError with nothing changed."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import credit_code
from accounts.selectors import require_role
from bidding.services.tenders import Errors
from core import clock
from core.actor import Actor
from core.errors import DomainError, PermissionDenied
from experts.models import Expert, Leave, Penalty, Relationship
from witness.services import event_record


def _today() -> date:
    return clock.now().date()


def _self_or_centre(actor: Actor, expert: Expert, message: str) -> None:
    if actor.user is None:
        raise PermissionDenied(message)
    if expert.user_id == actor.user.pk:
        return
    if actor.role != "centre" or actor.organisation is None or not actor.organisation.is_approved:
        raise PermissionDenied(message)


def relationship_declare(*, actor: Actor, expert: Expert, kind: str, organisation_name: str,
                         credit_code_value: str = "", note: str = "") -> Relationship:
    _self_or_centre(actor, expert, _("Only the expert or the trading centre records an expert's relationships."))
    errors = Errors()
    if kind not in Relationship.Kind.values:
        errors.add("kind", _("Choose the kind of relationship."))
    name = organisation_name.strip()
    if not name:
        errors.add("organisation_name", _("Enter the organisation."))
    elif len(name) > 200:
        errors.add("organisation_name", _("Enter at most 200 characters."))
    code = credit_code_value.strip().upper()
    if code:
        try:
            credit_code.validate(code)
        except credit_code.CreditCodeError as exc:
            errors.add("credit_code", str(exc))
    errors.raise_if_any()
    from accounts.models import Organisation

    with transaction.atomic():
        relationship = Relationship.objects.create(
            expert=expert, kind=kind, organisation_name=name, credit_code=code,
            organisation=Organisation.objects.filter(credit_code=code).first() if code else None,
            note=note.strip()[:200])
        event_record(actor=actor, action="expert.relationship_declared", subject=expert,
                     data={"relationship": relationship.pk, "kind": kind, "organisation": name, "credit_code": code})
    return relationship


def relationship_withdraw(*, actor: Actor, relationship: Relationship, ended_on: date | None = None) -> Relationship:
    """The tie has ended: it stays on record with its end date, and recusal still applies for the configured
    years after it (settings.DRAW_RELATIONSHIP_YEARS, RULES X6)."""
    expert = relationship.expert
    _self_or_centre(actor, expert, _("Only the expert or the trading centre records an expert's relationships."))
    ended_on = ended_on or _today()
    if ended_on > _today():
        raise DomainError(_("A relationship cannot end in the future: withdraw it on the day it ends."),
                          field="ended_on")
    with transaction.atomic():
        locked = Relationship.objects.select_for_update().get(pk=relationship.pk)
        if locked.ended_on is not None:
            raise DomainError(_("This relationship was already withdrawn on %(d)s.")
                              % {"d": locked.ended_on.isoformat()})
        locked.ended_on = ended_on
        locked.save(update_fields=["ended_on"])
        event_record(actor=actor, action="expert.relationship_withdrawn", subject=expert,
                     data={"relationship": locked.pk, "kind": locked.kind, "organisation": locked.organisation_name,
                           "ended_on": ended_on.isoformat()})
    relationship.ended_on = ended_on
    return locked


def penalty_record(*, actor: Actor, expert: Expert, decided_on: date | None, authority: str,
                   description: str) -> Penalty:
    require_role(actor, "centre", "regulator")
    errors = Errors()
    if decided_on is None:
        errors.add("decided_on", _("Enter the date of the decision."))
    elif decided_on > _today():
        errors.add("decided_on", _("The decision date cannot be in the future."))
    if not authority.strip():
        errors.add("authority", _("Enter the authority that decided the penalty."))
    if not description.strip():
        errors.add("description", _("Enter the reason for the penalty."))
    errors.raise_if_any()
    with transaction.atomic():
        penalty = Penalty.objects.create(expert=expert, decided_on=decided_on, authority=authority.strip()[:200],
                                         description=description.strip()[:300])
        event_record(actor=actor, action="expert.penalty_recorded", subject=expert,
                     data={"penalty": penalty.pk, "decided_on": decided_on.isoformat(), "authority": penalty.authority,
                           "reason": penalty.description})
    return penalty


def leave_record(*, actor: Actor, expert: Expert, starts_on: date | None, ends_on: date | None,
                 reason: str = "") -> Leave:
    _self_or_centre(actor, expert, _("Only the expert or the trading centre records leave."))
    errors = Errors()
    if starts_on is None:
        errors.add("starts_on", _("Enter the first day of the leave."))
    if ends_on is None:
        errors.add("ends_on", _("Enter the last day of the leave."))
    elif starts_on is not None and ends_on < starts_on:
        errors.add("ends_on", _("The leave must end on or after its first day."))
    elif starts_on is not None and ends_on < _today():
        errors.add("ends_on", _("This leave is already over; record leave that is current or to come."))
    errors.raise_if_any()
    with transaction.atomic():
        leave = Leave.objects.create(expert=expert, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()[:200])
        event_record(actor=actor, action="expert.leave_recorded", subject=expert,
                     data={"leave": leave.pk, "from": starts_on.isoformat(), "to": ends_on.isoformat(),
                           "reason": leave.reason})
    return leave


def expert_status_set(*, actor: Actor, expert: Expert, status: str, until: date | None = None,
                      reason: str = "") -> Expert:
    """Active, suspended until a date (excluded from draws through that date), or retired
    (final: a retired expert rejoins only through a new application)."""
    require_role(actor, "centre")
    errors = Errors()
    if status not in Expert.Status.values:
        errors.add("status", _("Unknown status."))
    if status == Expert.Status.SUSPENDED:
        if until is None:
            errors.add("until", _("Enter the date the suspension ends."))
        elif until <= _today():
            errors.add("until", _("A suspension ends after today."))
    if status in (Expert.Status.SUSPENDED, Expert.Status.RETIRED) and not reason.strip():
        errors.add("reason", _("Enter the reason."))
    errors.raise_if_any()
    with transaction.atomic():
        locked = Expert.objects.select_for_update().get(pk=expert.pk)
        before = locked.status
        if before == Expert.Status.RETIRED:
            raise DomainError(_("This expert is retired; a retired expert rejoins only through a new application."),
                              field="status")
        new_until = until if status == Expert.Status.SUSPENDED else None
        if before == status and locked.suspended_until == new_until:
            raise DomainError(_("The expert already has this status; nothing was changed."), field="status")
        locked.status, locked.suspended_until = status, new_until
        locked.save(update_fields=["status", "suspended_until"])
        event_record(actor=actor, action="expert.status_changed", subject=locked,
                     data={"from": before, "to": status, "until": new_until.isoformat() if new_until else None,
                           "reason": reason.strip()})
    expert.status, expert.suspended_until = locked.status, locked.suspended_until
    return locked
