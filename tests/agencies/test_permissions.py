"""The permission matrix of findings: role × own/other × action, with the expected table written out."""

from __future__ import annotations

import pytest

from agencies.models import FindingStatus
from agencies.permissions import FindingAction as A
from agencies.permissions import finding_can, may_edit_profile, may_record
from agencies.selectors import today
from tests.agencies.conftest import at, record
from tests.factories import actor_of

pytestmark = pytest.mark.django_db

# who → (view, respond, decide, appeal, decide_appeal) for a finding in the state that allows the action.
EXPECTED = {
    "regulator": {A.VIEW: True, A.RESPOND: False, A.DECIDE: True, A.APPEAL: False, A.DECIDE_APPEAL: True},
    "centre": {A.VIEW: True, A.RESPOND: False, A.DECIDE: True, A.APPEAL: False, A.DECIDE_APPEAL: False},
    "own agency": {A.VIEW: True, A.RESPOND: True, A.DECIDE: False, A.APPEAL: True, A.DECIDE_APPEAL: False},
    "other agency": {A.VIEW: False, A.RESPOND: False, A.DECIDE: False, A.APPEAL: False, A.DECIDE_APPEAL: False},
    "tenderer": {A.VIEW: False, A.RESPOND: False, A.DECIDE: False, A.APPEAL: False, A.DECIDE_APPEAL: False},
    "bidder": {A.VIEW: False, A.RESPOND: False, A.DECIDE: False, A.APPEAL: False, A.DECIDE_APPEAL: False},
    "pending regulator": {A.VIEW: False, A.RESPOND: False, A.DECIDE: False, A.APPEAL: False,
                          A.DECIDE_APPEAL: False},
}
# The state in which each action is possible at all.
STATE_FOR = {A.VIEW: FindingStatus.NOTIFIED, A.RESPOND: FindingStatus.NOTIFIED, A.DECIDE: FindingStatus.RESPONDED,
             A.APPEAL: FindingStatus.CARDED, A.DECIDE_APPEAL: FindingStatus.APPEALED}


@pytest.fixture
def actors(regulator, agency):
    return {
        "regulator": regulator, "centre": actor_of("centre"), "own agency": agency,
        "other agency": actor_of("agency"), "tenderer": actor_of("tenderer"), "bidder": actor_of("bidder"),
        "pending regulator": actor_of("regulator", status="pending"),
    }


def test_finding_permission_matrix(actors, regulator, agency, clock_at):
    clock_at(at(2025, 3, 13))
    finding = record(regulator, agency.organisation)
    finding.appeal_due = finding.response_due
    day = today()
    table = {}
    for who, actor in actors.items():
        row = {}
        for action, state in STATE_FOR.items():
            finding.status = state
            row[action] = finding_can(actor, finding, action, day)
        table[who] = row
    assert table == EXPECTED


def test_recording_and_profile_editing(actors, agency):
    recorders = {who for who, actor in actors.items() if may_record(actor)}
    assert recorders == {"regulator", "centre"}
    editors = {who for who, actor in actors.items() if may_edit_profile(actor, agency.organisation_id)}
    assert editors == {"own agency", "centre"}


def test_respond_and_appeal_close_with_their_windows(regulator, agency, clock_at):
    clock_at(at(2025, 3, 13))
    finding = record(regulator, agency.organisation)
    assert finding_can(agency, finding, A.RESPOND, finding.response_due)
    assert not finding_can(agency, finding, A.RESPOND, finding.decision_due)
    # Before the response period ends and without a response, nobody decides.
    assert not finding_can(regulator, finding, A.DECIDE, finding.response_due)
