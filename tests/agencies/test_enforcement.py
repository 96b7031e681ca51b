"""The platform enforces the cards: a red-carded agency cannot be put on a tender nor file one, through the
services, the pages and the API; a yellow card needs the tenderer's confirmation and marks filings for closer
review; a blue card is shown on the tender page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bidding.models import Tender
from bidding.services import tender_create, tender_review, tender_submit
from core.errors import DomainError
from tests.agencies.conftest import carded_now
from tests.factories import make_tender, tender_input
from witness.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def page_client(actor) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(actor.user)
    return client


def api_client(actor) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _ = Token.objects.get_or_create(user=actor.user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def form_body(data, **extra) -> dict:
    from django.utils import timezone

    def local(dt):
        return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")
    body = {"title": data.title, "category": data.category, "method": data.method, "budget": str(data.budget),
            "publish_at": local(data.publish_at), "clarification_deadline": local(data.clarification_deadline),
            "bid_deadline": local(data.bid_deadline), "decryption_window_minutes": "30",
            "lots-TOTAL_FORMS": "1", "lots-INITIAL_FORMS": "0", "lots-MIN_NUM_FORMS": "0", "lots-MAX_NUM_FORMS": "50",
            "lots-0-name": "第1标段", "lots-0-budget": "3000000.00", "lots-0-ceiling_price": "2850000.00"}
    body.update(extra)
    return body


def api_body(data, **extra) -> dict:
    body = {"title": data.title, "category": data.category, "method": data.method, "budget": str(data.budget),
            "publish_at": data.publish_at.isoformat(), "clarification_deadline": data.clarification_deadline.isoformat(),
            "bid_deadline": data.bid_deadline.isoformat(),
            "lots": [{"name": "第1标段", "budget": "3000000.00", "ceiling_price": "2850000.00"}]}
    body.update(extra)
    return body


def state():
    return Tender.objects.count(), Event.objects.count()


# --- red -------------------------------------------------------------------------------------


def test_red_card_refuses_the_agency_creating_a_tender_itself(regulator, agency, tenderer, clock_at):
    carded_now(regulator, agency.organisation, "red", clock_at, "false_materials")
    before = state()
    with pytest.raises(DomainError, match="red card") as refused:
        tender_create(actor=agency, data=tender_input(tenderer=tenderer.organisation))
    assert "agency_id" in refused.value.fields
    assert state() == before


def test_red_card_refuses_a_tenderer_naming_it_through_the_page(regulator, agency, tenderer, clock_at):
    carded_now(regulator, agency.organisation, "red", clock_at, "collusion")
    before = state()
    response = page_client(tenderer).post("/tenders/new/", form_body(
        tender_input(), agency=str(agency.organisation.pk)))
    assert response.status_code == 200
    assert "red card" in response.content.decode()
    assert state() == before


def test_red_card_refuses_a_tenderer_naming_it_through_the_api(regulator, agency, tenderer, clock_at):
    carded_now(regulator, agency.organisation, "red", clock_at, "collusion")
    before = state()
    response = api_client(tenderer).post("/api/agency/tenders/", api_body(
        tender_input(), agency_id=agency.organisation.pk), format="json")
    assert response.status_code == 400
    assert "agency_id" in response.json()["fields"] and "red card" in response.json()["detail"]
    assert state() == before


def test_red_card_refuses_the_agency_through_the_api(regulator, agency, tenderer, clock_at):
    carded_now(regulator, agency.organisation, "red", clock_at, "collusion")
    before = state()
    response = api_client(agency).post("/api/agency/tenders/", api_body(
        tender_input(), tenderer_id=tenderer.organisation.pk), format="json")
    assert response.status_code == 400 and "red card" in response.json()["detail"]
    assert state() == before


def test_red_card_stops_filing_a_draft_made_before_it_and_flags_its_open_tenders(regulator, agency, tenderer,
                                                                                 clock_at):
    draft = make_tender(agency=agency, tenderer=tenderer.organisation)
    carded_now(regulator, agency.organisation, "red", clock_at, "collusion")
    before = state()
    with pytest.raises(DomainError, match="red card"):
        tender_submit(actor=agency, tender=draft)
    response = api_client(agency).post(f"/api/agency/tenders/{draft.pk}/submit/")
    assert response.status_code == 400
    page = page_client(agency).post(f"/tenders/{draft.pk}/submit/", follow=True)
    assert "red card" in page.content.decode()
    assert state() == before
    listing = page_client(regulator).get("/agencies/findings/")
    assert draft.title in listing.content.decode()


# --- yellow and blue -----------------------------------------------------------------------------


def test_yellow_card_needs_the_tenderers_confirmation(regulator, agency, tenderer, clock_at):
    carded_now(regulator, agency.organisation, "yellow", clock_at, "procedure_breach")
    before = state()
    data = tender_input(agency_id=agency.organisation.pk)
    with pytest.raises(DomainError, match="yellow card") as refused:
        tender_create(actor=tenderer, data=data)
    assert "agency_confirmed" in refused.value.fields
    assert state() == before
    page = page_client(tenderer).get("/tenders/new/")
    assert "yellow card" in page.content.decode() and 'name="agency_confirmed"' in page.content.decode()
    response = page_client(tenderer).post("/tenders/new/", form_body(
        tender_input(), agency=str(agency.organisation.pk), agency_confirmed="on"))
    assert response.status_code == 302
    assert Tender.objects.filter(agency=agency.organisation).count() == 1


def test_yellow_card_confirmed_through_the_api_and_filings_marked_for_closer_review(regulator, centre, agency,
                                                                                   tenderer, clock_at):
    carded_now(regulator, agency.organisation, "yellow", clock_at, "procedure_breach")
    refused = api_client(tenderer).post("/api/agency/tenders/", api_body(
        tender_input(), agency_id=agency.organisation.pk), format="json")
    assert refused.status_code == 400 and "agency_confirmed" in refused.json()["fields"]
    made = api_client(tenderer).post("/api/agency/tenders/", api_body(
        tender_input(), agency_id=agency.organisation.pk, agency_confirmed=True), format="json")
    assert made.status_code == 201
    tender = Tender.objects.get(pk=made.json()["id"])
    from tests.factories import pdf_upload
    from bidding.services import tender_document_upload

    tender_document_upload(actor=agency, tender=tender, upload=pdf_upload())
    tender_submit(actor=agency, tender=tender)
    queue = page_client(centre).get("/tenders/filings/").content.decode()
    assert "Closer review" in queue and "Yellow card" in queue
    detail = page_client(centre).get(f"/tenders/{tender.pk}/").content.decode()
    assert "Closer review" in detail


def test_blue_card_is_shown_on_tenders_it_runs(regulator, centre, agency, tenderer, clock_at):
    carded_now(regulator, agency.organisation, "blue", clock_at)
    tender = make_tender(agency=agency, tenderer=tenderer.organisation)
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=centre, tender=tender, approve=True)
    from django.utils import timezone

    Tender.objects.filter(pk=tender.pk).update(published_at=timezone.now() - timezone.timedelta(minutes=1))
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/tenders/{tender.pk}/").content.decode()
    assert "badge-card-blue" in page and "Blue card" in page


def test_an_expired_red_card_no_longer_refuses(regulator, agency, tenderer, clock_at):
    from datetime import timedelta

    from django.utils import timezone

    from tests.agencies.conftest import card_for

    card_for(regulator, agency.organisation, "red", clock_at=clock_at, when=timezone.now() - timedelta(days=400),
             violation_type="collusion")
    clock_at(None)
    tender = tender_create(actor=agency, data=tender_input(tenderer=tenderer.organisation))
    assert tender.agency == agency.organisation
