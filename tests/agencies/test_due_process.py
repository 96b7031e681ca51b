"""Due process of a finding: notification, the 5-working-day response, silence as acceptance, the decision,
the appeal window; bad input changes nothing. The calendar is the platform's working-day calendar."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from agencies.models import Card, Evidence, Finding, FindingStatus
from agencies.services import (
    FindingInput,
    appeal_decide,
    finding_appeal,
    finding_decide,
    finding_record,
    finding_respond,
    findings_advance_overdue,
)
from core.errors import DomainError, IllegalTransition, PermissionDenied
from tests.agencies.conftest import at, evidence, record
from tests.factories import OrganisationFactory, actor_of
from witness.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def counts():
    return Finding.objects.count(), Card.objects.count(), Evidence.objects.count(), Event.objects.count()


def test_response_period_is_five_working_days_over_a_weekend(regulator, agency, clock_at):
    # Given a Thursday, when a finding is recorded, then the weekend does not count.
    clock_at(at(2025, 3, 13))
    finding = record(regulator, agency.organisation)
    assert finding.response_due == date(2025, 3, 20)
    assert finding.status == FindingStatus.NOTIFIED
    assert Event.objects.filter(action="finding.recorded", subject_id=str(finding.pk)).exists()


def test_response_period_skips_national_day_and_counts_the_adjusted_working_sunday(regulator, agency, clock_at):
    # Given Friday 26 September 2025: Sunday 28 Sep is an adjusted working day, 1–8 October are holidays.
    clock_at(at(2025, 9, 26))
    finding = record(regulator, agency.organisation)
    assert finding.response_due == date(2025, 10, 10)
    # The decision is due 10 working days after the response period (Sat 11 Oct is an adjusted working day).
    assert finding.decision_due == date(2025, 10, 23)


def test_agency_responds_in_time_and_the_decision_period_starts(regulator, agency, clock_at):
    clock_at(at(2025, 3, 13))
    finding = record(regulator, agency.organisation)
    clock_at(at(2025, 3, 20, 17))
    finding = finding_respond(actor=agency, finding=finding, response="评分标准系笔误，已发布澄清更正。")
    assert finding.status == FindingStatus.RESPONDED
    assert finding.decision_due == date(2025, 4, 3)


def test_silence_counts_as_acceptance_on_access_without_the_job(regulator, agency, clock_at):
    clock_at(at(2025, 3, 13))
    finding = record(regulator, agency.organisation)
    # On the last day the agency may still respond; nothing moves.
    clock_at(at(2025, 3, 20, 23))
    assert findings_advance_overdue() == 0
    # The next day the finding counts as accepted, recorded once, however often it is looked at.
    clock_at(at(2025, 3, 21, 8))
    assert findings_advance_overdue() == 1
    assert findings_advance_overdue() == 0
    finding.refresh_from_db()
    assert finding.status == FindingStatus.ACCEPTED
    assert Event.objects.filter(action="finding.accepted_by_silence").count() == 1
    with pytest.raises(DomainError, match="response period ended"):
        finding_respond(actor=agency, finding=finding, response="迟到的申辩")


def test_decision_after_silence_needs_no_job_to_have_run(regulator, agency, clock_at):
    clock_at(at(2025, 3, 13))
    finding = record(regulator, agency.organisation)
    clock_at(at(2025, 3, 24))
    finding = finding_decide(actor=regulator, finding=finding, issue_card=True, note="逾期未申辩，视为无异议。")
    assert finding.status == FindingStatus.CARDED
    actions = list(Event.objects.filter(subject_type="agencies.finding").values_list("action", flat=True))
    assert actions == ["finding.recorded", "finding.accepted_by_silence", "finding.carded"]
    card = finding.card
    assert (card.colour, card.deduction, card.issued_on) == ("blue", 2, date(2025, 3, 24))
    assert card.effective_on == date(2025, 3, 25)
    assert card.expires_on == date(2025, 6, 24)
    assert finding.appeal_due == date(2025, 4, 15)  # 15 working days; 4 April (清明) is a holiday


def test_decision_before_the_response_period_ends_without_a_response_is_refused(regulator, agency, clock_at):
    clock_at(at(2025, 3, 13))
    finding = record(regulator, agency.organisation)
    before = counts()
    clock_at(at(2025, 3, 18))
    with pytest.raises(DomainError, match="may respond until 2025-03-20"):
        finding_decide(actor=regulator, finding=finding, issue_card=True, note="提前决定")
    assert counts() == before
    finding.refresh_from_db()
    assert finding.status == FindingStatus.NOTIFIED


def test_a_second_decision_on_the_same_finding_is_refused(regulator, centre, agency, clock_at):
    clock_at(at(2025, 3, 13))
    finding = record(regulator, agency.organisation)
    finding_respond(actor=agency, finding=finding, response="已整改。")
    finding_decide(actor=regulator, finding=finding, issue_card=False, note="情节轻微，撤销认定。")
    before = counts()
    with pytest.raises(IllegalTransition, match="already decided"):
        finding_decide(actor=centre, finding=finding, issue_card=True, note="再次决定")
    assert counts() == before


@pytest.mark.parametrize("change, field", [
    ({"violation_type": ""}, "violation_type"),
    ({"violation_type": "jaywalking"}, "violation_type"),
    ({"evidence": []}, "evidence"),
    ({"description": "   "}, "description"),
    ({"agency_id": None}, "agency_id"),
    ({"agency_id": 987654}, "agency_id"),
])
def test_bad_findings_are_refused_and_nothing_changes(regulator, agency, change, field):
    data = dict(agency_id=agency.organisation.pk, violation_type="filing_errors", description="事实",
                evidence=[evidence()])
    data.update(change)
    before = counts()
    with pytest.raises(DomainError) as refused:
        finding_record(actor=regulator, data=FindingInput(**data))
    assert field in refused.value.fields
    assert counts() == before


def test_a_card_on_an_organisation_that_is_not_an_intermediary_is_refused(regulator):
    bidder = OrganisationFactory(kind="bidder")
    before = counts()
    with pytest.raises(DomainError, match="no such intermediary"):
        finding_record(actor=regulator, data=FindingInput(agency_id=bidder.pk, violation_type="collusion",
                                                          description="串通投标", evidence=[evidence()]))
    assert counts() == before


def test_appeal_inside_the_window_then_a_colleague_decides_it(regulator, agency, clock_at):
    colleague = actor_of("regulator", organisation=regulator.organisation)
    clock_at(at(2025, 3, 13))
    finding = record(regulator, agency.organisation)
    clock_at(at(2025, 3, 24))
    finding = finding_decide(actor=regulator, finding=finding, issue_card=True, note="逾期未申辩。")
    clock_at(at(2025, 4, 15, 16))
    finding = finding_appeal(actor=agency, finding=finding, grounds="通知未送达。")
    assert finding.status == FindingStatus.APPEALED
    with pytest.raises(PermissionDenied, match="colleague"):
        appeal_decide(actor=regulator, finding=finding, uphold=True, note="同一人")
    finding = appeal_decide(actor=colleague, finding=finding, uphold=True, note="经复核，通知确未送达，撤销。")
    assert finding.status == FindingStatus.REVOKED
    assert finding.final_by == colleague.user
    assert Card.objects.get(finding=finding).revoked_at is not None


def test_appeal_after_its_window_is_refused_and_nothing_changes(regulator, agency, clock_at):
    clock_at(at(2025, 3, 13))
    finding = record(regulator, agency.organisation)
    clock_at(at(2025, 3, 24))
    finding = finding_decide(actor=regulator, finding=finding, issue_card=True, note="逾期未申辩。")
    clock_at(at(2025, 4, 16, 9))
    before = counts()
    with pytest.raises(DomainError, match="appeal window closed on 2025-04-15"):
        finding_appeal(actor=agency, finding=finding, grounds="迟到的申诉")
    assert counts() == before
    finding.refresh_from_db()
    assert finding.status == FindingStatus.CARDED
