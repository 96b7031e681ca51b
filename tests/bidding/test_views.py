"""The tender pages: public notices, a tender's page and documents, the agency's forms, the centre's review."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from bidding.models import Category, Clarification, Method, Tender
from bidding.models import TenderStatus as S
from bidding.services import tender_review, tender_submit
from core import clock
from core.templatetags.platform import format_yuan
from tests.factories import OrganisationFactory, actor_of, make_tender, pdf_upload
from witness.models import Event

pytestmark = pytest.mark.django_db


def client_for(actor=None) -> Client:
    client = Client()
    if actor is not None:
        client.force_login(actor.user)
    return client


def published(agency, centre, **overrides) -> Tender:
    """A tender published now: its planned publication time is already past."""
    overrides.setdefault("start", clock.now() - timedelta(minutes=5))
    tender = make_tender(agency=agency, **overrides)
    tender_submit(actor=agency, tender=tender)
    return tender_review(actor=centre, tender=tender, approve=True)


@pytest.fixture
def move_clock(monkeypatch):
    """Move the server's clock (core.clock) by a timedelta."""
    def move(delta: timedelta) -> None:
        moved = clock.now() + delta
        monkeypatch.setattr(clock, "now", lambda: moved)
    return move


def local(dt) -> str:
    from django.utils import timezone

    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


# --- public notice list ---------------------------------------------------------------------

def test_notice_list_shows_published_tenders_to_visitors_but_not_drafts(agency, centre, draft_tender):
    public = published(agency, centre, title="湖州市城区绿化养护服务采购", category=Category.GOVERNMENT)

    response = client_for().get(reverse("bidding:notice_list"))

    assert response.status_code == 200
    assert public.title in response.text
    assert public.reference in response.text
    assert f"badge-{S.PUBLISHED}" in response.text
    assert draft_tender.reference not in response.text


def test_notice_list_filters_by_search_category_method_and_open_only(agency, centre):
    roads = published(agency, centre, title="农村道路提升改造工程", category=Category.WORKS)
    printing = published(agency, centre, title="宣传资料印刷服务", category=Category.GOVERNMENT,
                         method=Method.INQUIRY)
    cancelled = published(agency, centre, title="已取消的绿化工程")
    cancelled.status = S.CANCELLED
    cancelled.save(update_fields=["status"])
    client = client_for()
    url = reverse("bidding:notice_list")

    by_text = client.get(url, {"q": "印刷"}).text
    by_lot = client.get(url, {"q": "第1标段", "category": Category.WORKS}).text
    by_method = client.get(url, {"method": Method.INQUIRY}).text
    open_only = client.get(url, {"open_only": "on"}).text

    assert printing.title in by_text and roads.title not in by_text
    assert roads.title in by_lot and printing.title not in by_lot
    assert printing.title in by_method and roads.title not in by_method
    assert roads.title in open_only and cancelled.title not in open_only


def test_notice_list_filters_by_publication_date_and_reports_an_unreadable_date(agency, centre):
    tender = published(agency, centre)
    today = clock.now().date()
    client = client_for()
    url = reverse("bidding:notice_list")

    future = client.get(url, {"date_from": (today + timedelta(days=2)).isoformat()})
    current = client.get(url, {"date_from": (today - timedelta(days=1)).isoformat(),
                               "date_to": (today + timedelta(days=1)).isoformat()})
    unreadable = client.get(url, {"date_from": "not-a-date"})

    assert tender.title not in future.text
    assert "No notice matches your search." in future.text
    assert tender.title in current.text
    assert unreadable.status_code == 200 and tender.title in unreadable.text
    assert unreadable.context["form"].errors["date_from"]


def test_notice_list_sorts_by_budget_and_paginates_twenty_a_page(agency, centre):
    small = published(agency, centre, title="小额项目", budget=Decimal("3000000.00"))
    big = published(agency, centre, title="大额项目", budget=Decimal("9000000.00"))
    for _ in range(19):
        published(agency, centre, title="其他项目", budget=Decimal("5000000.00"))
    client = client_for()
    url = reverse("bidding:notice_list")

    largest = client.get(url, {"sort": "-budget"})
    smallest_last_page = client.get(url, {"sort": "-budget", "page": 2})

    assert list(largest.context["page"])[0] == big
    assert len(largest.context["page"]) == 20
    assert list(smallest_last_page.context["page"]) == [small]


def test_notice_list_empty_state(db):
    response = client_for().get(reverse("bidding:notice_list"))

    assert "No tender notices have been published yet." in response.text


# --- tender page and documents ----------------------------------------------------------------

def test_a_draft_is_404_to_a_visitor_and_to_another_agency_but_shown_to_its_agency(draft_tender, agency):
    url = reverse("bidding:tender_detail", args=[draft_tender.pk])

    assert client_for().get(url).status_code == 404
    assert client_for(actor_of("agency")).get(url).status_code == 404
    own = client_for(agency).get(url)
    assert own.status_code == 200
    assert reverse("bidding:tender_submit", args=[draft_tender.pk]) in own.text


def test_the_public_page_shows_lots_timeline_documents_and_no_actions(agency, centre):
    tender = published(agency, centre, lots=2)
    document = tender.documents.get()

    response = client_for().get(reverse("bidding:tender_detail", args=[tender.pk]))

    assert response.status_code == 200
    assert "第2标段" in response.text
    assert format_yuan(Decimal("2850000")) in response.text
    assert document.sha256 in response.text
    assert reverse("bidding:document_download", args=[tender.pk, document.pk]) in response.text
    assert reverse("bidding:tender_cancel", args=[tender.pk]) not in response.text
    assert "?tender=" not in response.text


def test_documents_are_refused_to_outsiders_before_publication_and_streamed_after(agency, centre, draft_tender):
    document = draft_tender.documents.get()
    url = reverse("bidding:document_download", args=[draft_tender.pk, document.pk])

    assert client_for().get(url).status_code == 404
    assert client_for(actor_of("bidder")).get(url).status_code == 404
    own = client_for(agency).get(url)
    assert own.status_code == 200
    assert "attachment" in own["Content-Disposition"]
    assert b"".join(own.streaming_content).startswith(b"%PDF")

    tender_submit(actor=agency, tender=draft_tender)
    assert client_for().get(url).status_code == 404  # submitted, not yet published


def test_a_published_document_downloads_for_anyone_under_its_original_name(agency, centre):
    tender = published(agency, centre)
    document = tender.documents.get()

    response = client_for().get(reverse("bidding:document_download", args=[tender.pk, document.pk]))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "%E6%8B%9B%E6%A0%87%E6%96%87%E4%BB%B6.pdf" in response["Content-Disposition"]  # 招标文件.pdf


def test_a_document_of_another_tender_is_not_found(agency, centre):
    tender = published(agency, centre)
    other = published(agency, centre)

    response = client_for().get(reverse("bidding:document_download", args=[tender.pk, other.documents.get().pk]))

    assert response.status_code == 404


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


# --- my tenders, the filing queue, the ledger link -------------------------------------------------------

def test_my_tenders_lists_the_organisations_own_tenders_with_the_next_step(agency, tenderer, draft_tender):
    other = make_tender(title="别家代理的项目")

    as_agency = client_for(agency).get(reverse("bidding:tender_mine"))
    as_tenderer = client_for(tenderer).get(reverse("bidding:tender_mine"))

    assert draft_tender.reference in as_agency.text and other.reference not in as_agency.text
    assert "Submit for filing review." in as_agency.text
    assert draft_tender.reference in as_tenderer.text


def test_the_filing_queue_is_the_centres(agency, centre, draft_tender):
    tender_submit(actor=agency, tender=draft_tender)

    assert draft_tender.reference in client_for(centre).get(reverse("bidding:filing_queue")).text
    assert client_for(agency).get(reverse("bidding:filing_queue")).status_code == 403


def test_the_ledger_link_is_shown_to_parties_and_the_centre(agency, centre):
    tender = published(agency, centre)
    url = reverse("bidding:tender_detail", args=[tender.pk])
    ledger = f"{reverse('witness:event_list')}?tender={tender.pk}"

    assert ledger in client_for(agency).get(url).text
    assert ledger in client_for(centre).get(url).text
    assert ledger not in client_for(actor_of("bidder")).get(url).text

