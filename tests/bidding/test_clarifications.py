"""Clarifications (澄清): published while bids are open; one that comes too late must move the deadline
(招标投标法 art. 23: at least 15 days before it)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation

from bidding.models import Clarification, Tender, TenderDocument
from bidding.services import clarification_publish, tender_review, tender_submit
from core import clock
from core.errors import DomainError, PermissionDenied
from tests.factories import actor_of, make_tender, pdf_upload
from witness.models import Event
from witness.verify import chain_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield



@pytest.fixture
def clock_at(monkeypatch):
    """Move the platform's clock (core.clock.now) to a given moment."""
    def move(when: datetime) -> datetime:
        monkeypatch.setattr(clock, "now", lambda: when)
        return when
    return move


@pytest.fixture
def published(agency, tenderer, centre, clock_at):
    """A tender published now (the clock frozen), bids due in 25 days, evaluation planned at day 40."""
    now = clock_at(clock.now().replace(microsecond=0))
    start = now - timedelta(hours=1)
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, start=start,
                         evaluation_planned_at=start + timedelta(days=40))
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=centre, tender=tender, approve=True)
    tender.refresh_from_db()
    return tender


def local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def counts() -> tuple[int, int, int]:
    return Clarification.objects.count(), TenderDocument.objects.count(), Event.objects.count()


def test_a_clarification_is_published_while_bids_are_open(published, agency):
    clarification = clarification_publish(actor=agency, tender=published, title="澄清一",
                                          body="第3.2条中的工期由 180 日历天改为 150 日历天。")
    assert clarification.number == 1
    assert clarification.previous_deadline is None and clarification.new_deadline is None
    assert clarification.published_at == clock.now()
    event = Event.objects.get(action="clarification.published")
    assert event.tender_id == published.pk
    assert event.data["number"] == 1 and event.data["new_deadline"] is None
    second = clarification_publish(actor=agency, tender=published, title="澄清二", body="补充图纸。",
                                   upload=pdf_upload("补充图纸.pdf"))
    assert second.number == 2
    assert second.document.version == 2
    assert chain_verify().ok


def test_one_less_than_15_days_before_the_deadline_is_refused_with_the_earliest_date(published, agency,
                                                                                     clock_at):
    # given the clock is 14 days before the bid deadline
    now = clock_at(published.bid_deadline - timedelta(days=14))
    before = counts()
    # when a clarification is published without a new deadline
    with pytest.raises(DomainError) as caught:
        clarification_publish(actor=agency, tender=published, title="澄清一", body="修改工程量清单。")
    # then it is refused, naming the earliest deadline allowed, and nothing is written
    assert "new_deadline" in caught.value.fields
    assert local(now + timedelta(days=15)) in str(caught.value)
    assert "15 days" in str(caught.value)
    assert counts() == before
    assert Tender.objects.get(pk=published.pk).bid_deadline == published.bid_deadline


def test_with_a_new_deadline_15_days_away_the_deadline_moves(published, agency, clock_at):
    # given the clock is 14 days before the bid deadline
    now = clock_at(published.bid_deadline - timedelta(days=14))
    old_deadline = published.bid_deadline
    new_deadline = now + timedelta(days=15)
    # when the clarification moves the deadline to exactly 15 days from now
    clarification = clarification_publish(actor=agency, tender=published, title="澄清一", body="修改工程量清单。",
                                          new_deadline=new_deadline)
    # then the tender's deadline moves, and both deadlines are recorded in the clarification and the ledger
    assert Tender.objects.get(pk=published.pk).bid_deadline == new_deadline
    assert clarification.previous_deadline == old_deadline
    assert clarification.new_deadline == new_deadline
    event = Event.objects.get(action="clarification.published")
    assert event.data["previous_deadline"] and event.data["new_deadline"]
    assert event.data["previous_deadline"] != event.data["new_deadline"]


def test_a_new_deadline_still_too_close_is_refused(published, agency, clock_at):
    now = clock_at(published.bid_deadline - timedelta(days=14))
    before = counts()
    with pytest.raises(DomainError) as caught:
        clarification_publish(actor=agency, tender=published, title="澄清一", body="x",
                              new_deadline=now + timedelta(days=15) - timedelta(minutes=1))
    assert local(now + timedelta(days=15)) in str(caught.value)
    assert counts() == before


def test_a_new_deadline_earlier_than_the_present_one_is_refused(published, agency):
    before = counts()
    with pytest.raises(DomainError) as caught:
        clarification_publish(actor=agency, tender=published, title="澄清一", body="x",
                              new_deadline=published.bid_deadline - timedelta(days=1))
    assert "later than the present one" in caught.value.fields["new_deadline"][0]
    assert counts() == before


def test_a_new_deadline_after_the_planned_evaluation_is_refused(published, agency):
    before = counts()
    with pytest.raises(DomainError) as caught:
        clarification_publish(actor=agency, tender=published, title="澄清一", body="x",
                              new_deadline=published.evaluation_planned_at + timedelta(minutes=1))
    assert "planned evaluation" in caught.value.fields["new_deadline"][0]
    assert counts() == before
    assert Tender.objects.get(pk=published.pk).bid_deadline == published.bid_deadline


def test_after_the_deadline_a_clarification_is_refused(published, agency, clock_at):
    clock_at(published.bid_deadline + timedelta(minutes=1))
    before = counts()
    with pytest.raises(DomainError) as caught:
        clarification_publish(actor=agency, tender=published, title="澄清一", body="x",
                              new_deadline=published.bid_deadline + timedelta(days=20))
    assert "only while the tender is open for bids" in str(caught.value)
    assert counts() == before


def test_at_the_very_deadline_a_clarification_is_refused(published, agency, clock_at):
    clock_at(published.bid_deadline)
    with pytest.raises(DomainError):
        clarification_publish(actor=agency, tender=published, title="澄清一", body="x")


def test_a_clarification_needs_a_title_and_text(published, agency):
    before = counts()
    with pytest.raises(DomainError) as caught:
        clarification_publish(actor=agency, tender=published, title=" ", body="")
    assert {"title", "body"} <= set(caught.value.fields)
    assert counts() == before


@pytest.mark.parametrize("kind", ["tenderer", "bidder", "centre", "regulator"])
def test_only_the_operator_publishes_clarifications(published, kind):
    before = counts()
    with pytest.raises(PermissionDenied):
        clarification_publish(actor=actor_of(kind), tender=published, title="澄清一", body="x")
    assert counts() == before


def test_a_draft_cannot_be_clarified(draft_tender, agency):
    with pytest.raises(DomainError) as caught:
        clarification_publish(actor=agency, tender=draft_tender, title="澄清一", body="x")
    assert caught.value.code == "illegal_transition"
