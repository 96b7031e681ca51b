"""Confidentiality as a permission matrix: role × tender stage × action on a draw (RULES X5, DESIGN §4.5).

"Y" allowed, "." refused. "confirming" is a draw awaiting confirmations on a published tender; "awarded"
is the same draw after the tender moved to awarded (bidding.lifecycle.tender_transition)."""

from __future__ import annotations

import pytest

from bidding.lifecycle import tender_transition
from bidding.models import TenderStatus as S
from core.actor import Actor
from experts.permissions import DrawAction, draw_can
from experts.selectors import draw_for_actor
from core.errors import DomainError
from tests.factories import OrganisationFactory, actor_of

pytestmark = pytest.mark.django_db

POLICY = """
stage       role             view  view_names  rate  verify
confirming  anonymous        .     .           .     .
confirming  bidder-of-lot    Y     .           .     .
confirming  bidder-other     .     .           .     .
confirming  tenderer-own     Y     .           .     .
confirming  tenderer-other   .     .           .     .
confirming  agency-own       Y     .           Y     .
confirming  agency-other     .     .           .     .
confirming  centre           Y     .           .     .
confirming  regulator        Y     Y           .     Y
confirming  expert-drawn     .     .           .     .
awarded     anonymous        Y     Y           .     Y
awarded     bidder-of-lot    Y     Y           .     Y
awarded     tenderer-own     Y     Y           .     Y
awarded     agency-own       Y     Y           Y     Y
awarded     centre           Y     Y           .     Y
awarded     regulator        Y     Y           .     Y
"""
ACTIONS = ["view", "view_names", "rate", "verify"]
ROWS = [(r[0], r[1], r[2:]) for r in (line.split() for line in POLICY.strip().splitlines()[1:])]


def actor_for(role, draw, agency, tenderer, bidder_org):
    if role == "anonymous":
        return Actor(user=None, organisation=None, role="anonymous")
    if role == "bidder-of-lot":
        return actor_of("bidder", organisation=bidder_org)
    if role == "expert-drawn":
        s = draw.selections.first()
        return Actor(user=s.expert.user, organisation=None, role="none")
    if role.endswith("-own"):
        return {"agency-own": agency, "tenderer-own": tenderer}[role]
    return actor_of(role.split("-")[0])


def award(tender, regulator):
    for to in (S.OPENING, S.OPENED, S.EVALUATING, S.EVALUATED, S.PUBLICITY, S.AWARDED):
        tender_transition(actor=regulator, tender=tender, to=to)


@pytest.mark.parametrize("stage, role, expected", ROWS, ids=[f"{r[0]}-{r[1]}" for r in ROWS])
def test_draw_matrix(drawn, published, agency, tenderer, regulator, bidders_of, stage, role, expected):
    bidder_org = OrganisationFactory(kind="bidder")
    bidders_of({drawn.lot_id: [bidder_org.pk]})
    if stage == "awarded":
        award(published, regulator)
    drawn.refresh_from_db()
    drawn.tender.refresh_from_db()
    actor = actor_for(role, drawn, agency, tenderer, bidder_org)
    for action, want in zip(ACTIONS, expected):
        assert draw_can(actor, drawn, DrawAction(action)) == (want == "Y"), (stage, role, action)
    if expected[0] == ".":
        with pytest.raises(DomainError):
            draw_for_actor(actor=actor, draw_id=drawn.pk)


def test_the_page_shows_counts_not_names_to_the_agency_and_names_to_the_regulator(drawn, agency, regulator, client):
    from django.test import Client

    names = [s.expert.name for s in drawn.selections.select_related("expert")]
    for actor, sees in ((agency, False), (regulator, True)):
        c = Client(HTTP_ACCEPT_LANGUAGE="en")
        c.force_login(actor.user)
        page = c.get(f"/experts/draws/{drawn.pk}/").content.decode()
        assert "0 of 5 confirmed" in page
        assert any(n in page for n in names) is sees


def test_the_seed_is_revealed_when_the_tender_is_awarded(drawn, published, regulator, client):
    from experts.services.responses import draw_reveal_if_public
    from witness.models import Event

    award(published, regulator)
    drawn.tender.refresh_from_db()
    draw_reveal_if_public(drawn)
    drawn.refresh_from_db()
    assert drawn.seed_revealed and Event.objects.filter(action="draw.seed_revealed", tender_id=published.pk).exists()
    page = client.get(f"/experts/draws/{drawn.pk}/verify/")
    assert page.status_code == 302  # anonymous: sign in first
