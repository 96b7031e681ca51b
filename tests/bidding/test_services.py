"""Tender services: creating (every bad input named, nothing saved), filing, review, documents."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import Organisation
from bidding.models import Lot, Method, Tender, TenderDocument, TenderStatus
from bidding.services import LotInput, tender_create, tender_document_upload, tender_review, tender_submit
from core import clock
from core.errors import DomainError, IllegalTransition, PermissionDenied
from tests.factories import OrganisationFactory, actor_of, make_tender, pdf_upload, tender_input
from witness.models import Event
from witness.verify import chain_verify

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


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


def counts() -> tuple[int, int, int]:
    return Tender.objects.count(), Lot.objects.count(), Event.objects.count()


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def refused(actor, data, *, field: str | None = None, error=DomainError) -> DomainError:
    """Create with bad input: assert it is refused (naming `field`) and nothing at all was written."""
    before = counts()
    with pytest.raises(error) as caught:
        tender_create(actor=actor, data=data)
    assert counts() == before
    if field is not None:
        assert field in caught.value.fields, caught.value.fields
    return caught.value


# --- creating: every bad input named, nothing saved ------------------------------------------------------------

def test_a_valid_tender_is_created_with_its_lots_and_one_event(agency, tenderer):
    tender = tender_create(actor=agency, data=tender_input(tenderer=tenderer.organisation, lots=2))
    assert tender.status == TenderStatus.DRAFT
    assert tender.agency == agency.organisation and tender.tenderer == tenderer.organisation
    assert [lot.number for lot in tender.lots.all()] == [1, 2]
    assert tender.reference.startswith("GC-")
    event = Event.objects.get(tender_id=tender.pk)
    assert event.action == "tender.created"
    assert event.data["budget"] == "6000000.00"
    assert len(event.data["lots"]) == 2


@pytest.mark.parametrize("make_tenderer", [
    pytest.param(lambda: None, id="none"),
    pytest.param(lambda: OrganisationFactory(kind=Organisation.Kind.BIDDER), id="a-bidder"),
    pytest.param(lambda: OrganisationFactory(kind=Organisation.Kind.AGENCY), id="an-agency"),
    pytest.param(lambda: OrganisationFactory(kind=Organisation.Kind.TENDERER, status=Organisation.Status.PENDING),
                 id="a-pending-tenderer"),
])
def test_an_invalid_tenderer_is_refused(agency, make_tenderer):
    error = refused(agency, tender_input(tenderer=make_tenderer()), field="tenderer_id")
    assert error.fields["tenderer_id"]


def test_a_tenderer_that_does_not_exist_is_refused(agency):
    data = tender_input()
    data.tenderer_id = 987654
    refused(agency, data, field="tenderer_id")


def test_a_deadline_before_publication_is_refused(agency, tenderer):
    data = tender_input(tenderer=tenderer.organisation)
    data.bid_deadline = data.publish_at - timedelta(hours=1)
    error = refused(agency, data, field="bid_deadline")
    assert "must come after publication" in error.fields["bid_deadline"][0]


def test_open_tendering_needs_twenty_days_for_bids(agency, tenderer):
    # given an open tender whose deadline is one minute short of 20 days after publication
    start = local(2026, 12, 1, 9, 0)
    data = tender_input(tenderer=tenderer.organisation, start=start, bid_deadline=start + timedelta(days=20, minutes=-1),
                        clarification_deadline=start + timedelta(days=5), evaluation_planned_at=None)
    # then it is refused, naming the earliest allowed deadline
    error = refused(agency, data, field="bid_deadline")
    assert "20 days" in str(error) and "2026-12-21 09:00" in str(error)
    # and exactly 20 days is accepted
    data.bid_deadline = start + timedelta(days=20)
    assert tender_create(actor=agency, data=data).bid_deadline == start + timedelta(days=20)


def negotiation(tenderer, start: datetime, deadline: datetime):
    return tender_input(tenderer=tenderer.organisation, method=Method.NEGOTIATION, start=start,
                        clarification_deadline=start, bid_deadline=deadline, evaluation_planned_at=None)


def test_negotiation_counts_three_working_days_across_a_weekend_with_an_adjusted_sunday(agency, tenderer):
    # given publication on Friday 2026-09-18; Saturday 19th rests, Sunday 20th is a working day (调休)
    start = local(2026, 9, 18, 10, 0)
    # then Mon 21st is only the second working day: refused, naming Tue 22nd
    error = refused(agency, negotiation(tenderer, start, local(2026, 9, 21, 10, 0)), field="bid_deadline")
    assert "3 working days" in str(error) and "2026-09-22 10:00" in str(error)
    # and Tue 22nd is accepted
    assert tender_create(actor=agency, data=negotiation(tenderer, start, local(2026, 9, 22, 10, 0)))


def test_negotiation_counts_three_working_days_across_the_national_day_holiday(agency, tenderer):
    # given publication on 2026-09-30; 1–7 October rest, Thu 8th, Fri 9th and Sat 10th (调休) work
    start = local(2026, 9, 30, 10, 0)
    # then a deadline on the 9th is refused, naming the 10th
    error = refused(agency, negotiation(tenderer, start, local(2026, 10, 9, 10, 0)), field="bid_deadline")
    assert "2026-10-10 10:00" in str(error)
    assert tender_create(actor=agency, data=negotiation(tenderer, start, local(2026, 10, 10, 10, 0)))


@pytest.mark.parametrize("budget, message", [
    pytest.param(Decimal("-1.00"), "more than zero", id="negative"),
    pytest.param(Decimal("0"), "more than zero", id="zero"),
    pytest.param(Decimal("3000000.005"), "more than two decimals", id="three-decimals"),
    pytest.param("三百万", "must be an amount", id="not-a-number"),
    pytest.param(Decimal("NaN"), "must be an amount", id="nan"),
])
def test_a_bad_budget_is_refused(agency, tenderer, budget, message):
    error = refused(agency, tender_input(tenderer=tenderer.organisation, budget=budget), field="budget")
    assert message in error.fields["budget"][0]


def test_a_tender_without_lots_is_refused(agency, tenderer):
    data = tender_input(tenderer=tenderer.organisation)
    data.lots = []
    error = refused(agency, data, field="lots")
    assert "at least one lot" in error.fields["lots"][0]


def test_a_ceiling_above_the_lot_budget_is_refused(agency, tenderer):
    data = tender_input(tenderer=tenderer.organisation)
    data.lots = [LotInput("第1标段", Decimal("1000000.00"), Decimal("1000000.01"))]
    refused(agency, data, field="lots.1.ceiling_price")


def test_a_bad_lot_amount_is_named_by_lot(agency, tenderer):
    data = tender_input(tenderer=tenderer.organisation)
    data.lots = [LotInput("第1标段", Decimal("100.00"), Decimal("90.00")), LotInput("第2标段", Decimal("-5"), Decimal("1"))]
    error = refused(agency, data, field="lots.2.budget")
    assert "Lot 2" in error.fields["lots.2.budget"][0]


def test_lots_adding_up_to_more_than_the_budget_are_refused(agency, tenderer):
    data = tender_input(tenderer=tenderer.organisation, lots=2, budget=Decimal("5000000.00"))
    error = refused(agency, data, field="budget")
    assert "6,000,000.00" in error.fields["budget"][0]


@pytest.mark.parametrize("minutes", [9, 241])
def test_a_decryption_window_out_of_range_is_refused(agency, tenderer, minutes):
    refused(agency, tender_input(tenderer=tenderer.organisation, decryption_window_minutes=minutes),
            field="decryption_window_minutes")


def test_evaluation_before_the_deadline_is_refused(agency, tenderer):
    data = tender_input(tenderer=tenderer.organisation)
    data.evaluation_planned_at = data.bid_deadline - timedelta(minutes=1)
    refused(agency, data, field="evaluation_planned_at")


def test_every_problem_is_reported_at_once(agency):
    data = tender_input(title="", budget=Decimal("0"), lots=0, decryption_window_minutes=1)
    error = refused(agency, data)
    assert {"title", "tenderer_id", "budget", "lots", "decryption_window_minutes"} <= set(error.fields)


def test_an_agency_not_yet_approved_cannot_create(tenderer):
    pending = actor_of("agency", status=Organisation.Status.PENDING)
    error = refused(pending, tender_input(tenderer=tenderer.organisation), error=PermissionDenied)
    assert "not been approved" in str(error)


@pytest.mark.parametrize("kind", ["bidder", "regulator", "centre"])
def test_other_roles_cannot_create(kind, tenderer):
    refused(actor_of(kind), tender_input(tenderer=tenderer.organisation), error=PermissionDenied)


def test_a_tenderer_may_run_its_own_tender(tenderer):
    tender = tender_create(actor=tenderer, data=tender_input())
    assert tender.tenderer == tenderer.organisation and tender.agency is None


# --- filing and review ------------------------------------------------------------------------------------------

def test_submission_without_documents_is_refused_naming_documents(agency, tenderer):
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, with_document=False)
    before = Event.objects.count()
    with pytest.raises(DomainError) as caught:
        tender_submit(actor=agency, tender=tender)
    assert "documents" in caught.value.fields
    tender.refresh_from_db()
    assert tender.status == TenderStatus.DRAFT
    assert Event.objects.count() == before


def test_approval_publishes_at_the_planned_time_when_that_is_later(draft_tender, agency, centre):
    tender_submit(actor=agency, tender=draft_tender)
    tender = tender_review(actor=centre, tender=draft_tender, approve=True)
    assert tender.status == TenderStatus.PUBLISHED
    assert tender.published_at == draft_tender.publish_at
    assert Event.objects.filter(tender_id=tender.pk, action="tender.approved").count() == 1


def test_approval_publishes_now_when_the_planned_time_has_passed(agency, tenderer, centre, clock_at):
    # given a tender planned for publication an hour ago, filed and awaiting review
    now = clock_at(clock.now())
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, start=now - timedelta(hours=1))
    tender_submit(actor=agency, tender=tender)
    # when the centre approves ten minutes later
    later = clock_at(now + timedelta(minutes=10))
    tender = tender_review(actor=centre, tender=tender, approve=True)
    # then it is published at the moment of approval
    assert tender.published_at == later
    tender.refresh_from_db()
    assert tender.published_at == later


def test_approval_after_the_timeline_became_too_short_is_refused(draft_tender, agency, centre, clock_at):
    # given a filing with a 25-day bid period
    tender_submit(actor=agency, tender=draft_tender)
    before = Event.objects.count()
    # when the centre gets to it ten days later, leaving fewer than 20 days
    clock_at(clock.now() + timedelta(days=10))
    with pytest.raises(DomainError) as caught:
        tender_review(actor=centre, tender=draft_tender, approve=True)
    # then it is refused, saying why and what to do, and nothing changes
    assert "no longer be published" in str(caught.value) and "Return it" in str(caught.value)
    assert "bid_deadline" in caught.value.fields
    draft_tender.refresh_from_db()
    assert draft_tender.status == TenderStatus.SUBMITTED
    assert draft_tender.published_at is None
    assert Event.objects.count() == before


def test_returning_needs_a_reason(draft_tender, agency, centre):
    tender_submit(actor=agency, tender=draft_tender)
    before = Event.objects.count()
    with pytest.raises(DomainError) as caught:
        tender_review(actor=centre, tender=draft_tender, approve=False, note="")
    assert "note" in caught.value.fields
    draft_tender.refresh_from_db()
    assert draft_tender.status == TenderStatus.SUBMITTED
    assert Event.objects.count() == before


def test_a_returned_tender_can_be_changed_and_resubmitted(draft_tender, agency, centre):
    tender_submit(actor=agency, tender=draft_tender)
    tender = tender_review(actor=centre, tender=draft_tender, approve=False, note="资格条件设置不合理")
    assert tender.status == TenderStatus.RETURNED and tender.review_note == "资格条件设置不合理"
    tender_document_upload(actor=agency, tender=tender, upload=pdf_upload("招标文件(修改).pdf"))
    tender = tender_submit(actor=agency, tender=tender)
    assert tender.status == TenderStatus.SUBMITTED
    actions = list(Event.objects.filter(tender_id=tender.pk).values_list("action", flat=True))
    assert actions == ["tender.created", "document.uploaded", "tender.submitted", "tender.returned",
                       "document.uploaded", "tender.resubmitted"]
    assert chain_verify().ok


def test_only_the_centre_reviews(draft_tender, agency, regulator):
    tender_submit(actor=agency, tender=draft_tender)
    for actor in (agency, regulator):
        with pytest.raises(PermissionDenied):
            tender_review(actor=actor, tender=draft_tender, approve=True)


# --- documents ------------------------------------------------------------------------------------------------

def test_document_versions_increase_with_hash_and_size(agency, tenderer):
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, with_document=False)
    first = tender_document_upload(actor=agency, tender=tender, upload=pdf_upload(content=b"%PDF-1.4 one"))
    second = tender_document_upload(actor=agency, tender=tender, upload=pdf_upload(content=b"%PDF-1.4 second"),
                                    title="招标文件（第二版）")
    assert (first.version, second.version) == (1, 2)
    assert second.sha256 == hashlib.sha256(b"%PDF-1.4 second").hexdigest()
    assert second.size == len(b"%PDF-1.4 second")
    with second.file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4 second"
    event = Event.objects.filter(action="document.uploaded").last()
    assert event.data["version"] == 2 and event.data["sha256"] == second.sha256


@pytest.mark.parametrize("upload, message", [
    pytest.param(lambda: SimpleUploadedFile("setup.exe", b"MZ...", "application/octet-stream"), "“.exe”",
                 id="bad-extension"),
    pytest.param(lambda: SimpleUploadedFile("no-extension", b"data", "application/octet-stream"), "“?”",
                 id="no-extension"),
    pytest.param(lambda: SimpleUploadedFile("empty.pdf", b"", "application/pdf"), "empty", id="empty-file"),
])
def test_bad_documents_are_refused_and_nothing_is_stored(agency, tenderer, upload, message, settings):
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, with_document=False)
    before = TenderDocument.objects.count(), Event.objects.count()
    with pytest.raises(DomainError) as caught:
        tender_document_upload(actor=agency, tender=tender, upload=upload())
    assert message in str(caught.value)
    assert "file" in caught.value.fields
    assert (TenderDocument.objects.count(), Event.objects.count()) == before
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_upload_after_submission_is_refused(draft_tender, agency):
    tender_submit(actor=agency, tender=draft_tender)
    before = TenderDocument.objects.count(), Event.objects.count()
    with pytest.raises(DomainError) as caught:
        tender_document_upload(actor=agency, tender=draft_tender, upload=pdf_upload())
    assert caught.value.code == "illegal_transition"
    assert "clarification" in str(caught.value)
    assert (TenderDocument.objects.count(), Event.objects.count()) == before


def test_only_the_operator_uploads(draft_tender, tenderer):
    with pytest.raises(PermissionDenied):
        tender_document_upload(actor=tenderer, tender=draft_tender, upload=pdf_upload())


def test_submitting_twice_is_an_illegal_transition(draft_tender, agency):
    tender_submit(actor=agency, tender=draft_tender)
    with pytest.raises(IllegalTransition):
        tender_submit(actor=agency, tender=draft_tender)
