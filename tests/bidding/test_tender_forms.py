"""The tender forms and actions: create and edit, filing, the centre's review, clarifications, cancellation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Organisation
from bidding.models import Category, Clarification, Method, Tender
from bidding.models import TenderStatus as S
from bidding.services import tender_submit
from core import clock
from tests.bidding.test_views import client_for, local, published
from tests.factories import OrganisationFactory, actor_of, make_tender, pdf_upload
from witness.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def move_clock(monkeypatch):
    """Move the server's clock (core.clock) by a timedelta."""
    def move(delta: timedelta) -> None:
        moved = clock.now() + delta
        monkeypatch.setattr(clock, "now", lambda: moved)
    return move


# --- create and edit -----------------------------------------------------------------------------

def form_data(tenderer: Organisation, *, lots=(("第1标段", "3000000.00", "2850000.00"),), **overrides) -> dict:
    start = clock.now() + timedelta(hours=2)
    data = {
        "title": "安吉县递铺街道污水管网改造工程", "category": Category.WORKS, "method": Method.OPEN,
        "tenderer": str(tenderer.pk), "region": "浙江省/湖州市/安吉县", "budget": "3000000.00",
        "description": "", "publish_at": local(start), "clarification_deadline": local(start + timedelta(days=15)),
        "bid_deadline": local(start + timedelta(days=25)), "decryption_window_minutes": "30",
        "evaluation_planned_at": local(start + timedelta(days=26)),
        "lots-TOTAL_FORMS": str(len(lots)), "lots-INITIAL_FORMS": "0", "lots-MIN_NUM_FORMS": "0",
        "lots-MAX_NUM_FORMS": "1000",
    }
    for i, (name, budget, ceiling) in enumerate(lots):
        data.update({f"lots-{i}-name": name, f"lots-{i}-budget": budget, f"lots-{i}-ceiling_price": ceiling,
                     f"lots-{i}-description": ""})
    data.update(overrides)
    return data


def test_an_agency_creates_a_draft_tender_with_its_lots(agency, tenderer):
    data = form_data(tenderer.organisation, budget="5000000.00",
                     lots=(("第1标段", "3000000.00", "2850000.00"), ("第2标段", "2000000.00", "1900000.00")))

    response = client_for(agency).post(reverse("bidding:tender_create"), data)

    tender = Tender.objects.get()
    assert response.status_code == 302 and response.url == reverse("bidding:tender_detail", args=[tender.pk])
    assert tender.status == S.DRAFT and tender.agency == agency.organisation
    assert [(lot.name, lot.ceiling_price) for lot in tender.lots.all()] == [
        ("第1标段", Decimal("2850000.00")), ("第2标段", Decimal("1900000.00"))]
    assert local(tender.publish_at) == data["publish_at"]  # read as Beijing time, stored aware


def test_the_form_offers_approved_tenderers_to_an_agency(agency, tenderer):
    pending = OrganisationFactory(kind=Organisation.Kind.TENDERER, status=Organisation.Status.PENDING)

    response = client_for(agency).get(reverse("bidding:tender_create"))

    assert response.status_code == 200
    assert tenderer.organisation.name in response.text
    assert pending.name not in response.text


def test_a_bidder_may_not_create_tenders(bidder):
    assert client_for(bidder).get(reverse("bidding:tender_create")).status_code == 403


@pytest.mark.parametrize("overrides, field, message", [
    ({"lots-TOTAL_FORMS": "0"}, None, "at least one lot"),
    ({"lots-0-ceiling_price": "3100000.00"}, "ceiling_price", "cannot exceed its budget"),
    ({"budget": "0"}, "budget", "must be more than zero"),
])
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(agency, tenderer, overrides, field, message):
    data = form_data(tenderer.organisation, **overrides)
    events = Event.objects.count()

    response = client_for(agency).post(reverse("bidding:tender_create"), data)

    assert response.status_code == 200
    assert message in response.text
    if field == "ceiling_price":
        assert response.context["lots"].forms[0].errors["ceiling_price"]
    elif field:
        assert response.context["form"].errors[field]
    assert "安吉县递铺街道污水管网改造工程" in response.text  # the values are kept
    assert Tender.objects.count() == 0 and Event.objects.count() == events


def test_a_deadline_before_publication_is_refused_with_every_other_problem(agency, tenderer):
    start = clock.now() + timedelta(days=3)
    data = form_data(tenderer.organisation, publish_at=local(start), bid_deadline=local(start - timedelta(days=1)),
                     clarification_deadline=local(start - timedelta(days=2)), budget="0",
                     evaluation_planned_at="")

    response = client_for(agency).post(reverse("bidding:tender_create"), data)

    form = response.context["form"]
    assert "must come after publication" in " ".join(form.errors["bid_deadline"])
    assert form.errors["clarification_deadline"] and form.errors["budget"]
    assert f'value="{data["publish_at"]}"' in response.text
    assert Tender.objects.count() == 0


def test_errors_of_a_second_lot_are_shown_on_that_lot(agency, tenderer):
    data = form_data(tenderer.organisation, budget="5000000.00",
                     lots=(("第1标段", "3000000.00", "2850000.00"), ("", "2000000.00", "2100000.00")))

    response = client_for(agency).post(reverse("bidding:tender_create"), data)

    second = response.context["lots"].forms[1]
    assert second.errors["name"] and second.errors["ceiling_price"]
    assert not response.context["lots"].forms[0].errors
    assert Tender.objects.count() == 0


def test_unreadable_values_are_reported_without_calling_the_service(agency, tenderer):
    data = form_data(tenderer.organisation, budget="三百万", bid_deadline="tomorrow")

    response = client_for(agency).post(reverse("bidding:tender_create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["budget"] and response.context["form"].errors["bid_deadline"]
    assert Tender.objects.count() == 0


def test_the_agency_edits_its_draft_and_another_agency_cannot(agency, tenderer, draft_tender):
    data = form_data(tenderer.organisation, title="改名后的工程")
    url = reverse("bidding:tender_edit", args=[draft_tender.pk])

    assert client_for(actor_of("agency")).post(url, data).status_code == 404
    form = client_for(agency).get(url)
    response = client_for(agency).post(url, data)

    assert draft_tender.title in form.text and 'value="第1标段"' in form.text
    assert response.status_code == 302
    draft_tender.refresh_from_db()
    assert draft_tender.title == "改名后的工程"


def test_a_published_tender_cannot_be_edited(agency, centre):
    tender = published(agency, centre)

    response = client_for(agency).post(reverse("bidding:tender_edit", args=[tender.pk]), {}, follow=True)

    assert "only a draft or a returned tender" in response.text or "may not do this" in response.text
    tender.refresh_from_db()
    assert tender.status == S.PUBLISHED


# --- filing, review, clarification, cancellation ------------------------------------------------------

def test_the_agency_submits_its_draft_for_filing(agency, draft_tender):
    response = client_for(agency).post(reverse("bidding:tender_submit", args=[draft_tender.pk]), follow=True)

    draft_tender.refresh_from_db()
    assert draft_tender.status == S.SUBMITTED
    assert "Submitted to the trading centre" in response.text


def test_submitting_without_documents_explains_and_changes_nothing(agency, tenderer):
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, with_document=False)

    response = client_for(agency).post(reverse("bidding:tender_submit", args=[tender.pk]), follow=True)

    tender.refresh_from_db()
    assert tender.status == S.DRAFT
    assert "Upload the tender documents" in response.text


def test_the_agency_uploads_a_new_document_version_and_a_bad_file_is_refused(agency, draft_tender):
    url = reverse("bidding:tender_upload", args=[draft_tender.pk])
    client = client_for(agency)

    bad = client.post(url, {"file": pdf_upload("virus.exe"), "title": "x"})
    good = client.post(url, {"file": pdf_upload("招标文件v2.pdf"), "title": "招标文件（修订）"})

    assert bad.status_code == 200 and bad.context["upload_form"].errors["file"]
    assert good.status_code == 302
    assert list(draft_tender.documents.values_list("version", flat=True)) == [2, 1]


def test_the_centre_approves_a_filing_and_the_tender_is_published(agency, centre, draft_tender):
    tender_submit(actor=agency, tender=draft_tender)
    url = reverse("bidding:tender_detail", args=[draft_tender.pk])
    page = client_for(centre).get(url)

    response = client_for(centre).post(reverse("bidding:tender_review", args=[draft_tender.pk]),
                                       {"decision": "approve", "note": ""})

    assert reverse("bidding:tender_review", args=[draft_tender.pk]) in page.text
    assert response.status_code == 302
    draft_tender.refresh_from_db()
    assert draft_tender.status == S.PUBLISHED and draft_tender.published_at is not None


def test_the_centre_must_give_reasons_to_return_a_filing(agency, centre, draft_tender):
    tender_submit(actor=agency, tender=draft_tender)
    url = reverse("bidding:tender_review", args=[draft_tender.pk])
    client = client_for(centre)

    without = client.post(url, {"decision": "return", "note": "  "})
    draft_tender.refresh_from_db()
    assert without.status_code == 200 and without.context["review_form"].errors["note"]
    assert draft_tender.status == S.SUBMITTED

    client.post(url, {"decision": "return", "note": "开标时间与公示期冲突，请调整。"})
    draft_tender.refresh_from_db()
    assert draft_tender.status == S.RETURNED and draft_tender.review_note == "开标时间与公示期冲突，请调整。"
    assert "开标时间与公示期冲突" in client_for(agency).get(reverse("bidding:tender_detail", args=[draft_tender.pk])).text


def test_an_agency_cannot_review_its_own_filing(agency, draft_tender):
    tender_submit(actor=agency, tender=draft_tender)

    response = client_for(agency).post(reverse("bidding:tender_review", args=[draft_tender.pk]),
                                       {"decision": "approve"}, follow=True)

    draft_tender.refresh_from_db()
    assert draft_tender.status == S.SUBMITTED
    assert response.status_code == 200


def test_a_clarification_too_close_to_the_deadline_must_move_it(agency, centre, move_clock):
    tender = published(agency, centre)
    move_clock(timedelta(days=10, hours=12))  # 14.5 days before the deadline: less than the 15 the law requires
    url = reverse("bidding:tender_clarify", args=[tender.pk])
    client = client_for(agency)

    refused = client.post(url, {"title": "关于工期的澄清", "body": "工期调整为180日历天。"})

    assert refused.status_code == 200
    assert refused.context["clarify_form"].errors["new_deadline"]
    assert "关于工期的澄清" in refused.text
    assert not Clarification.objects.exists()
    old_deadline = tender.bid_deadline
    tender.refresh_from_db()
    assert tender.bid_deadline == old_deadline

    new_deadline = clock.now() + timedelta(days=15, hours=1)  # still before the planned evaluation
    accepted = client.post(url, {"title": "关于工期的澄清", "body": "工期调整为180日历天。",
                                 "new_deadline": local(new_deadline)})

    assert accepted.status_code == 302
    page = client_for().get(reverse("bidding:tender_detail", args=[tender.pk])).text
    assert "关于工期的澄清" in page and "deadline-moved" in page


def test_a_clarification_with_an_attachment_is_listed_with_its_download(agency, centre):
    tender = published(agency, centre)

    client_for(agency).post(reverse("bidding:tender_clarify", args=[tender.pk]),
                            {"title": "答疑纪要", "body": "见附件。", "attachment": pdf_upload("答疑纪要.pdf")})

    clarification = Clarification.objects.get()
    assert clarification.document is not None
    page = client_for().get(reverse("bidding:tender_detail", args=[tender.pk])).text
    assert reverse("bidding:document_download", args=[tender.pk, clarification.document.pk]) in page


def test_cancelling_needs_a_reason(agency, draft_tender):
    url = reverse("bidding:tender_cancel", args=[draft_tender.pk])
    client = client_for(agency)

    refused = client.post(url, {"reason": ""})
    draft_tender.refresh_from_db()
    assert refused.context["cancel_form"].errors["reason"] and draft_tender.status == S.DRAFT

    client.post(url, {"reason": "项目资金未落实"})
    draft_tender.refresh_from_db()
    assert draft_tender.status == S.CANCELLED


def test_actions_need_a_signed_in_user(draft_tender):
    response = client_for().post(reverse("bidding:tender_cancel", args=[draft_tender.pk]), {"reason": "x"})

    assert response.status_code == 302 and reverse("accounts:login") in response.url
    draft_tender.refresh_from_db()
    assert draft_tender.status == S.DRAFT
