"""Recording findings against intermediaries and taking them through due process to a card."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation
from agencies import rules
from agencies.lifecycle import DECIDED, finding_transition
from agencies.models import Card, Colour, Evidence, Finding
from agencies.models import FindingStatus as S
from agencies.permissions import FindingAction, finding_can, may_record
from bidding.models import Tender
from core import clock
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, PermissionDenied
from witness.services import event_record

EVIDENCE_MAX_FILES = 10
CLOCK = Actor.system("clock")


def today() -> date:
    return timezone.localdate(clock.now())


class Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            raise DomainError(next(iter(self.fields.values()))[0], fields=self.fields)


@dataclass
class FindingInput:
    agency_id: int | None
    violation_type: str
    description: str
    tender_id: int | None = None
    evidence: list[UploadedFile] = field(default_factory=list)


def _store_evidence(finding: Finding, upload: UploadedFile) -> Evidence:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(finding=finding, original_name=(upload.name or "evidence")[:255], size=upload.size or 0,
                        sha256=digest.hexdigest(), uploaded_at=clock.now())
    evidence.file.save(upload.name or "evidence", upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def finding_record(*, actor: Actor, data: FindingInput) -> Finding:
    """The regulator or the trading centre records a violation; the intermediary is notified at once."""
    if not may_record(actor):
        raise PermissionDenied(_("Only the regulator or the trading centre records findings against intermediaries."))
    errors = Errors()
    agency = Organisation.objects.filter(pk=data.agency_id, kind=Organisation.Kind.AGENCY).first() \
        if data.agency_id else None
    if agency is None:
        errors.add("agency_id", _("Choose an intermediary from the directory: no such intermediary is registered."))
    vt = rules.violation_type(data.violation_type or "")
    if vt is None:
        errors.add("violation_type", _("Choose the type of violation from the catalogue."))
    description = (data.description or "").strip()
    if not description:
        errors.add("description", _("Describe the facts found: the intermediary answers them."))
    tender = None
    if data.tender_id:
        tender = Tender.objects.filter(pk=data.tender_id).first()
        if tender is None:
            errors.add("tender_id", _("No such tender."))
    uploads = [u for u in data.evidence if u is not None]
    if not uploads:
        errors.add("evidence", _("Attach the evidence (at least one file): a finding without evidence cannot be "
                                 "notified."))
    elif len(uploads) > EVIDENCE_MAX_FILES:
        errors.add("evidence", _("Attach at most %(n)d files.") % {"n": EVIDENCE_MAX_FILES})
    elif any(not u.size for u in uploads):
        errors.add("evidence", _("An evidence file is empty."))
    errors.raise_if_any()
    now = clock.now()
    due = rules.response_due(timezone.localdate(now))
    finding = Finding.objects.create(
        agency=agency, violation_type=vt.code, description=description, tender=tender, recorded_by=actor.user,
        recorded_for=actor.organisation, recorded_at=now, response_due=due, decision_due=rules.decision_due(due))
    stored = [_store_evidence(finding, upload) for upload in uploads]
    event_record(actor=actor, action="finding.recorded", subject=finding, tender_id=finding.tender_id, data={
        "agency": agency.pk, "agency_name": agency.name, "violation_type": vt.code, "description": description,
        "response_due": due, "evidence": [{"name": e.original_name, "size": e.size, "sha256": e.sha256}
                                          for e in stored]})
    from agencies.tasks import finding_notify

    transaction.on_commit(lambda: finding_notify.delay(finding.pk))
    return finding


def _overdue(finding: Finding, day: date) -> bool:
    return finding.status == S.NOTIFIED and day > finding.response_due


def finding_accept_by_silence(*, finding: Finding, day: date | None = None) -> Finding:
    """Silence counts as acceptance once the response period has passed (RULES T1)."""
    day = day or today()
    if not _overdue(finding, day):
        return finding
    return finding_transition(actor=CLOCK, finding=finding, to=S.ACCEPTED,
                              changes={"decision_due": rules.decision_due(finding.response_due)},
                              data={"response_due": finding.response_due})


def findings_advance_overdue(*, agency_id: int | None = None) -> int:
    """Advance every finding whose response period has passed. Idempotent; pages and the daily job call it."""
    day = today()
    overdue = Finding.objects.filter(status=S.NOTIFIED, response_due__lt=day)
    if agency_id is not None:
        overdue = overdue.filter(agency_id=agency_id)
    moved = 0
    for finding in overdue:
        with transaction.atomic():
            locked = Finding.objects.select_for_update().get(pk=finding.pk)
            if _overdue(locked, day):
                finding_accept_by_silence(finding=locked, day=day)
                moved += 1
    return moved


@transaction.atomic
def finding_respond(*, actor: Actor, finding: Finding, response: str) -> Finding:
    """The intermediary states its defence (陈述申辩) within the response period."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    day = today()
    if not finding_can(actor, finding, FindingAction.RESPOND, day):
        if actor.organisation_id != finding.agency_id or actor.role != "agency":
            raise PermissionDenied(_("Only the intermediary the finding is against can respond to it."))
        if finding.status == S.ACCEPTED or (finding.status == S.NOTIFIED and day > finding.response_due):
            raise DomainError(_("The response period ended on %(due)s: the finding counts as accepted.")
                              % {"due": finding.response_due}, field="response")
        raise IllegalTransition(_("This finding is “%(status)s”: it no longer takes a response.")
                                % {"status": finding.get_status_display()})
    response = (response or "").strip()
    if not response:
        raise DomainError(_("Write your statement of defence (陈述申辩)."), field="response")
    return finding_transition(actor=actor, finding=finding, to=S.RESPONDED, changes={
        "response": response, "responded_at": clock.now(), "responded_by": actor.user,
        "decision_due": rules.decision_due(day)}, data={"response": response})


def _escalate(agency_id: int, colour: str, issued_on: date) -> tuple[str, str]:
    """A second blue within the window becomes yellow; a second yellow becomes red (RULES T4, [INFERRED])."""
    since = rules.escalation_window_start(issued_on)
    earlier = set(Card.objects.filter(agency_id=agency_id, revoked_at__isnull=True, issued_on__gt=since,
                                      issued_on__lte=issued_on).values_list("colour", flat=True))
    steps = []
    while colour in rules.ESCALATES_TO and colour in earlier:
        raised = rules.ESCALATES_TO[colour]
        steps.append(_("a second %(colour)s card within %(months)d months makes it %(raised)s")
                     % {"colour": Colour(colour).label, "months": settings.AGENCY_ESCALATION_WINDOW_MONTHS,
                        "raised": Colour(raised).label})
        colour = raised
    return colour, "; ".join(steps)


@transaction.atomic
def finding_decide(*, actor: Actor, finding: Finding, issue_card: bool, note: str, colour: str | None = None,
                   deduction: int | None = None) -> Finding:
    """The regulator (or the centre) decides: issue the card, or withdraw the finding."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    day = today()
    finding = finding_accept_by_silence(finding=finding, day=day)
    if finding.status in DECIDED:
        raise IllegalTransition(_("This finding was already decided (%(status)s); a decision cannot be made twice.")
                                % {"status": finding.get_status_display()})
    if not finding_can(actor, finding, FindingAction.DECIDE, day):
        if finding.status == S.NOTIFIED and (actor.role in {"regulator", "centre"}):
            raise DomainError(_("The intermediary may respond until %(due)s and has not yet: decide after the "
                                "response period or once it responds.") % {"due": finding.response_due})
        raise PermissionDenied(_("Only the regulator or the trading centre decides findings."))
    errors = Errors()
    note = (note or "").strip()
    if not note:
        errors.add("note", _("Give the reasons for the decision: they are published with the card."))
    vt = rules.violation_type(finding.violation_type)
    if issue_card:
        colour = colour or (vt.colour if vt else "")
        if colour not in Colour.values:
            errors.add("colour", _("Choose the card's colour."))
        if deduction is None:
            deduction = vt.deduction if vt else None
        if deduction is None or not 0 <= int(deduction) <= settings.AGENCY_SCORE_FULL:
            errors.add("deduction", _("The deduction must be a whole number of points between 0 and %(max)d.")
                       % {"max": settings.AGENCY_SCORE_FULL})
    errors.raise_if_any()
    now = clock.now()
    changes = {"decided_at": now, "decided_by": actor.user, "decided_for": actor.organisation, "decision_note": note}
    if not issue_card:
        return finding_transition(actor=actor, finding=finding, to=S.WITHDRAWN, changes=changes, data={"note": note})
    final_colour, escalation = _escalate(finding.agency_id, colour, day)
    card = Card.objects.create(
        agency_id=finding.agency_id, finding=finding, violation_type=finding.violation_type, colour=final_colour,
        decided_colour=colour, escalation=escalation, deduction=int(deduction), issued_at=now, issued_on=day,
        effective_on=rules.deduction_effective(day), expires_on=rules.card_expiry(final_colour, day))
    card.notice_number = f"TB-{day:%Y}-{card.pk:05d}"
    card.save(update_fields=["notice_number"])
    changes["appeal_due"] = rules.appeal_due(day)
    finding = finding_transition(actor=actor, finding=finding, to=S.CARDED, changes=changes,
                                 data={"note": note, "card": card.pk})
    event_record(actor=actor, action="card.issued", subject=card, tender_id=finding.tender_id, data={
        "agency": finding.agency_id, "finding": finding.pk, "colour": final_colour, "decided_colour": colour,
        "escalation": escalation, "deduction": card.deduction, "issued_on": day, "effective_on": card.effective_on,
        "expires_on": card.expires_on, "notice_number": card.notice_number})
    from agencies.tasks import card_notice_publish

    transaction.on_commit(lambda: card_notice_publish.delay(card.pk))
    return finding


@transaction.atomic
def finding_appeal(*, actor: Actor, finding: Finding, grounds: str) -> Finding:
    """The intermediary appeals the card within the appeal window."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    day = today()
    if not finding_can(actor, finding, FindingAction.APPEAL, day):
        if actor.organisation_id != finding.agency_id or actor.role != "agency":
            raise PermissionDenied(_("Only the intermediary the card was issued to can appeal it."))
        if finding.status == S.CARDED and finding.appeal_due and day > finding.appeal_due:
            raise DomainError(_("The appeal window closed on %(due)s.") % {"due": finding.appeal_due},
                              field="grounds")
        raise IllegalTransition(_("This finding is “%(status)s”: it cannot be appealed.")
                                % {"status": finding.get_status_display()})
    grounds = (grounds or "").strip()
    if not grounds:
        raise DomainError(_("Give the grounds of the appeal."), field="grounds")
    return finding_transition(actor=actor, finding=finding, to=S.APPEALED, changes={
        "appeal_grounds": grounds, "appealed_at": clock.now(), "appealed_by": actor.user}, data={"grounds": grounds})


def _another_decider_exists(actor: Actor, decided_by_id: int | None) -> bool:
    return Membership.objects.filter(organisation_id=actor.organisation_id, is_active=True).exclude(
        user_id=decided_by_id).exists()


@transaction.atomic
def appeal_decide(*, actor: Actor, finding: Finding, uphold: bool, note: str) -> Finding:
    """The regulator's final decision on an appeal: uphold it (the card is revoked) or dismiss it."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if not finding_can(actor, finding, FindingAction.DECIDE_APPEAL, today()):
        if actor.role != "regulator":
            raise PermissionDenied(_("Only the regulator makes the final decision on an appeal."))
        raise IllegalTransition(_("This finding is “%(status)s”: there is no appeal to decide.")
                                % {"status": finding.get_status_display()})
    if actor.user is not None and actor.user.pk == finding.decided_by_id and _another_decider_exists(
            actor, finding.decided_by_id):
        raise PermissionDenied(_("You made the first decision: a colleague decides the appeal."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Give the reasons for the final decision."), field="note")
    now = clock.now()
    changes = {"final_at": now, "final_by": actor.user, "final_note": note}
    data = {"note": note, "same_person_as_first_decision": actor.user is not None
            and actor.user.pk == finding.decided_by_id}
    if not uphold:
        return finding_transition(actor=actor, finding=finding, to=S.CONFIRMED, changes=changes, data=data)
    finding = finding_transition(actor=actor, finding=finding, to=S.REVOKED, changes=changes, data=data)
    card = Card.objects.select_for_update().get(finding=finding)
    card.revoked_at = now
    card.save(update_fields=["revoked_at"])
    event_record(actor=actor, action="card.revoked", subject=card, tender_id=finding.tender_id,
                 data={"agency": card.agency_id, "finding": finding.pk, "note": note})
    return finding
