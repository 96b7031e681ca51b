"""The permission matrix: role × tender state × action, for tender_can() and for the service that acts.

The policy is written out below so a reader sees it whole. "Y" means allowed; "." means refused. Every
cell is checked twice: bidding.permissions.tender_can() must answer it, and the real service (or the
fetch-and-authorise selector, for the read actions) must allow or refuse it, writing nothing when it refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import translation

from accounts.models import Organisation
from bidding.models import Tender
from bidding.permissions import TenderAction, tender_can
from bidding.selectors import tender_for_actor
from bidding.services import (
    clarification_publish,
    tender_cancel,
    tender_review,
    tender_submit,
    tender_update,
)
from core import clock
from core.actor import Actor
from core.errors import DomainError, NotFound, PermissionDenied
from tests.factories import actor_of, make_tender, tender_input
from witness.models import Event

pytestmark = pytest.mark.django_db

# "published" is a published tender whose notice is public and whose bid deadline has not passed.
POLICY = """
state      role                 view  edit  submit  review  clarify  cancel  view_ledger
draft      anonymous            .     .     .       .       .        .       .
draft      bidder               .     .     .       .       .        .       .
draft      tenderer-own         Y     .     .       .       .        .       Y
draft      tenderer-other       .     .     .       .       .        .       .
draft      agency-own           Y     Y     Y       .       .        Y       Y
draft      agency-other         .     .     .       .       .        .       .
draft      centre               .     .     .       .       .        .       .
draft      regulator            Y     .     .       .       .        .       Y
draft      pending-agency-own   .     .     .       .       .        .       .
submitted  anonymous            .     .     .       .       .        .       .
submitted  bidder               .     .     .       .       .        .       .
submitted  tenderer-own         Y     .     .       .       .        .       Y
submitted  tenderer-other       .     .     .       .       .        .       .
submitted  agency-own           Y     .     .       .       .        Y       Y
submitted  agency-other         .     .     .       .       .        .       .
submitted  centre               Y     .     .       Y       .        Y       Y
submitted  regulator            Y     .     .       .       .        .       Y
submitted  pending-agency-own   .     .     .       .       .        .       .
published  anonymous            Y     .     .       .       .        .       .
published  bidder               Y     .     .       .       .        .       .
published  tenderer-own         Y     .     .       .       .        .       Y
published  tenderer-other       Y     .     .       .       .        .       .
published  agency-own           Y     .     .       .       Y        Y       Y
published  agency-other         Y     .     .       .       .        .       .
published  centre               Y     .     .       .       .        Y       Y
published  regulator            Y     .     .       .       .        .       Y
published  pending-agency-own   Y     .     .       .       .        .       .
"""


def _parse(table: str) -> dict[tuple[str, str, str], bool]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    actions = header[2:]
    return {(state, role, action): mark == "Y"
            for state, role, *marks in rows for action, mark in zip(actions, marks)}


EXPECTED = _parse(POLICY)
STATES = ["draft", "submitted", "published"]
ROLES = ["anonymous", "bidder", "tenderer-own", "tenderer-other", "agency-own", "agency-other", "centre",
         "regulator", "pending-agency-own"]
ACTIONS = [action.value for action in TenderAction]


def test_the_policy_table_covers_every_cell():
    assert set(EXPECTED) == {(s, r, a) for s in STATES for r in ROLES for a in ACTIONS}


@dataclass
class World:
    tender: Tender
    agency: Actor
    tenderer: Actor
    centre: Actor


def build_world(state: str) -> World:
    """An agency runs a tender for a tenderer, planned for publication an hour ago, brought to `state`."""
    agency, tenderer, centre = actor_of("agency"), actor_of("tenderer"), actor_of("centre")
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, start=clock.now() - timedelta(hours=1))
    if state in ("submitted", "published"):
        tender_submit(actor=agency, tender=tender)
    if state == "published":
        tender_review(actor=centre, tender=tender, approve=True)
    tender.refresh_from_db()
    return World(tender=tender, agency=agency, tenderer=tenderer, centre=centre)


def actor_for(role: str, world: World) -> Actor:
    if role == "anonymous":
        return Actor(user=None, organisation=None, role="anonymous", ip="192.0.2.1")
    if role == "tenderer-own":
        return world.tenderer
    if role == "agency-own":
        return world.agency
    if role == "centre":
        return world.centre
    if role == "pending-agency-own":
        # The tender's own agency, whose approval has since been withdrawn to "awaiting review".
        org = world.agency.organisation
        Organisation.objects.filter(pk=org.pk).update(status=Organisation.Status.PENDING)
        org.refresh_from_db()
        return Actor(user=world.agency.user, organisation=org, role="agency", ip="192.0.2.1")
    return actor_of(role.removesuffix("-other"))


def perform(action: str, actor: Actor, world: World):
    """The service (or fetch-and-authorise selector) a view calls for this action."""
    tender = world.tender
    if action == "view":
        return tender_for_actor(actor=actor, tender_id=tender.pk)
    if action == "view_ledger":
        return tender_for_actor(actor=actor, tender_id=tender.pk, action=TenderAction.VIEW_LEDGER)
    if action == "edit":
        data = tender_input(tenderer=world.tenderer.organisation, start=tender.publish_at, title="修改后的项目名称")
        return tender_update(actor=actor, tender=tender, data=data)
    if action == "submit":
        return tender_submit(actor=actor, tender=tender)
    if action == "review":
        return tender_review(actor=actor, tender=tender, approve=True)
    if action == "clarify":
        return clarification_publish(actor=actor, tender=tender, title="澄清一", body="工期由 180 天改为 150 天。")
    if action == "cancel":
        return tender_cancel(actor=actor, tender=tender, reason="项目取消")
    raise AssertionError(action)


def never_allowed(role: str, action: str) -> bool:
    return not any(EXPECTED[(state, role, action)] for state in STATES)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield



@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_matrix(state, role, action):
    # given a tender in `state` and someone in `role`
    world = build_world(state)
    actor = actor_for(role, world)
    allowed = EXPECTED[(state, role, action)]
    # then tender_can answers as the policy says
    assert tender_can(actor, world.tender, TenderAction(action)) is allowed
    # and the service really allows or refuses
    events_before = Event.objects.count()
    status_before = world.tender.status
    if allowed:
        perform(action, actor, world)
        if action not in ("view", "view_ledger"):
            assert Event.objects.count() == events_before + 1
        return
    with pytest.raises(DomainError) as caught:
        perform(action, actor, world)
    if never_allowed(role, action):
        # someone who may never do this is told so (or, for a tender hidden from them, that it does not exist)
        assert isinstance(caught.value, (PermissionDenied, NotFound)), repr(caught.value)
    assert Event.objects.count() == events_before
    assert Tender.objects.get(pk=world.tender.pk).status == status_before
