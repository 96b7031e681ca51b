"""The tender lifecycle table: every move not in it is refused and writes nothing; every move in it writes
exactly one event with its action."""

from __future__ import annotations

import pytest
from django.utils import translation

from bidding.lifecycle import TRANSITIONS, allowed_targets, tender_transition
from bidding.models import Tender, TenderStatus
from core.errors import IllegalTransition
from tests.factories import actor_of, make_tender
from witness.models import Event
from witness.verify import chain_verify

pytestmark = pytest.mark.django_db

ALL_MOVES = [(frm, to) for frm in TenderStatus.values for to in TenderStatus.values]
ILLEGAL = [move for move in ALL_MOVES if move not in TRANSITIONS]
LEGAL = list(TRANSITIONS.items())


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield



@pytest.fixture
def tender_in():
    """A tender put directly into a given state (the lifecycle function is what is under test)."""
    agency = actor_of("agency")

    def make(status: str) -> Tender:
        tender = make_tender(agency=agency, with_document=False)
        Tender.objects.filter(pk=tender.pk).update(status=status)
        tender.refresh_from_db()
        return tender
    return make


def test_the_table_is_what_the_design_says():
    # the main line of DESIGN.md §6, with filing review in front and the side exits
    assert allowed_targets(TenderStatus.DRAFT) == [TenderStatus.SUBMITTED, TenderStatus.CANCELLED]
    assert set(allowed_targets(TenderStatus.ARCHIVED)) == set()
    for terminal in (TenderStatus.FAILED, TenderStatus.CANCELLED, TenderStatus.AWARDED):
        assert allowed_targets(terminal) == [TenderStatus.ARCHIVED]
    assert len(ILLEGAL) + len(LEGAL) == len(TenderStatus.values) ** 2


@pytest.mark.parametrize("frm, to", ILLEGAL, ids=[f"{f}->{t}" for f, t in ILLEGAL])
def test_an_illegal_move_is_refused_naming_both_states(tender_in, frm, to):
    # given a tender in `frm`
    tender = tender_in(frm)
    centre = actor_of("centre")
    before = Event.objects.count()
    # when anyone asks to move it to `to`, which the table does not allow
    with pytest.raises(IllegalTransition) as caught:
        tender_transition(actor=centre, tender=tender, to=to)
    # then the message names both states, and nothing is written
    message = str(caught.value)
    assert str(TenderStatus(frm).label) in message
    assert str(TenderStatus(to).label) in message
    assert Event.objects.count() == before
    assert Tender.objects.get(pk=tender.pk).status == frm
    assert tender.status == frm


@pytest.mark.parametrize("move, action", LEGAL, ids=[f"{f}->{t}" for (f, t), _ in LEGAL])
def test_a_legal_move_writes_exactly_one_event(tender_in, move, action):
    frm, to = move
    tender = tender_in(frm)
    centre = actor_of("centre")
    before = Event.objects.count()
    moved = tender_transition(actor=centre, tender=tender, to=to, data={"note": "test"})
    assert moved.status == to
    assert tender.status == to
    assert Tender.objects.get(pk=tender.pk).status == to
    assert Event.objects.count() == before + 1
    event = Event.objects.order_by("-seq").first()
    assert event.action == action
    assert event.tender_id == tender.pk
    assert event.subject_type == "bidding.tender" and event.subject_id == str(tender.pk)
    assert event.data == {"from": frm, "to": to, "note": "test"}
    assert event.actor_id == centre.user.pk and event.organisation_id == centre.organisation.pk
    assert chain_verify().ok


def test_changes_are_saved_with_the_move(tender_in):
    tender = tender_in(TenderStatus.PUBLISHED)
    moved = tender_transition(actor=actor_of("agency"), tender=tender, to=TenderStatus.CANCELLED,
                              changes={"cancel_reason": "资金未落实"})
    assert Tender.objects.get(pk=moved.pk).cancel_reason == "资金未落实"
