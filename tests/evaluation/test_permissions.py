"""Who may do what in an evaluation, as a matrix: committee stage × role × action (evaluation.permissions).

"Y" allowed, "." refused. "working" is a committee with its leader elected, before the summary; "summarised"
is the same committee after the summary; "awarded" after the award, when the committee's names are public."""

from __future__ import annotations

import pytest

from core import clock
from core.actor import Actor
from evaluation.models import Committee
from evaluation.permissions import EvalAction, committee_can
from tests.evaluation.test_flow import elect
from tests.factories import actor_of

pytestmark = pytest.mark.django_db

POLICY = """
stage       role           watch  work  lead  see_names  see_results
working     leader         Y      Y     Y     Y          .
working     member         Y      Y     .     Y          .
working     agency-own     Y      .     .     .          .
working     tenderer-own   Y      .     .     .          .
working     centre         Y      .     .     .          .
working     regulator      Y      .     .     Y          .
working     bidder-of-lot  .      .     .     .          .
working     bidder-other   .      .     .     .          .
working     agency-other   .      .     .     .          .
working     anonymous      .      .     .     .          .
summarised  leader         Y      Y     Y     Y          Y
summarised  member         Y      Y     .     Y          Y
summarised  agency-own     Y      .     .     .          Y
summarised  tenderer-own   Y      .     .     .          Y
summarised  centre         Y      .     .     .          Y
summarised  regulator      Y      .     .     Y          Y
summarised  bidder-of-lot  .      .     .     .          .
summarised  agency-other   .      .     .     .          .
summarised  anonymous      .      .     .     .          .
awarded     leader         Y      .     Y     Y          Y
awarded     member         Y      .     .     Y          Y
awarded     agency-own     Y      .     .     Y          Y
awarded     tenderer-own   Y      .     .     Y          Y
awarded     centre         Y      .     .     Y          Y
awarded     regulator      Y      .     .     Y          Y
awarded     bidder-of-lot  .      .     .     Y          .
awarded     agency-other   .      .     .     Y          .
awarded     anonymous      .      .     .     Y          .
"""
ACTIONS = ["watch", "work", "lead", "see_names", "see_results"]
ROWS = [(r[0], r[1], r[2:]) for r in (line.split() for line in POLICY.strip().splitlines()[1:])]


def actor_for(role: str, formed, committee, agency):
    if role == "anonymous":
        return Actor(user=None, organisation=None, role="anonymous")
    if role in ("leader", "member"):
        seat = committee.members.filter(is_leader=role == "leader").order_by("position").first()
        return next(a for a in formed.experts if a.user.pk == seat.user_id)
    if role == "agency-own":
        return agency
    if role == "tenderer-own":
        return actor_of("tenderer", organisation=formed.lot.tender.tenderer)
    if role == "bidder-of-lot":
        return formed.bidders[0].actor
    return actor_of(role.split("-")[0])


@pytest.mark.parametrize("stage, role, expected", ROWS, ids=[f"{r[0]}-{r[1]}" for r in ROWS])
def test_evaluation_matrix(formed, agency, stage, role, expected):
    elect(formed)
    if stage == "summarised":
        Committee.objects.filter(pk=formed.committee.pk).update(stage="summary", summarised_at=clock.now())
    elif stage == "awarded":
        Committee.objects.filter(pk=formed.committee.pk).update(stage="awarded", summarised_at=clock.now())
    committee = Committee.objects.select_related("lot__tender").get(pk=formed.committee.pk)
    actor = actor_for(role, formed, committee, agency)
    for action, want in zip(ACTIONS, expected):
        assert committee_can(actor, committee, EvalAction(action)) == (want == "Y"), (stage, role, action)
