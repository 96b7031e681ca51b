"""The tender pages: public notices, a tender's page and its documents, "my tenders", the filing queue.

The forms and actions are in test_tender_forms.py."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from bidding.models import Category, Method, Tender
from bidding.models import TenderStatus as S
from bidding.services import tender_review, tender_submit
from core import clock
from core.templatetags.platform import format_yuan
from tests.factories import actor_of, make_tender

pytestmark = pytest.mark.django_db


def client_for(actor=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # assertions read the English texts
    if actor is not None:
        client.force_login(actor.user)
    return client


def published(agency, centre, **overrides) -> Tender:
    """A tender published now: its planned publication time is already past."""
    overrides.setdefault("start", clock.now() - timedelta(minutes=5))
    tender = make_tender(agency=agency, **overrides)
    tender_submit(actor=agency, tender=tender)
    return tender_review(actor=centre, tender=tender, approve=True)


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



@pytest.mark.django_db
def test_searching_a_word_in_several_lot_names_lists_the_tender_once_with_its_true_lot_count(agency, centre):
    from bidding.services import tender_review, tender_submit
    from tests.factories import OrganisationFactory, make_tender

    tender = make_tender(agency=agency, tenderer=OrganisationFactory(kind="tenderer"), lots=3)
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=centre, tender=tender, approve=True)
    Tender.objects.filter(pk=tender.pk).update(published_at=clock.now())

    from bidding.selectors import NoticeFilter, tenders_public_search

    found = list(tenders_public_search(NoticeFilter(q="标段")))

    assert [t.pk for t in found] == [tender.pk]
    assert found[0].lot_count == 3 and found[0].document_count == 1
