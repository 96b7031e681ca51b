"""Fixtures for the API tests: real token authentication, request bodies, a published tender."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Organisation
from bidding.models import Tender
from bidding.services import tender_review, tender_submit
from core import clock
from tests.factories import OrganisationFactory, make_tender
from witness.models import Event


@pytest.fixture(autouse=True)
def _api_test_settings(settings):
    # The throttle has its own test; elsewhere it would count every test's sign-ins together.
    settings.API_TOKEN_THROTTLE_RATE = None


@pytest.fixture
def anon():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def client_for():
    """An API client that authenticates as the actor's user with a real token."""

    def make(actor, *, acting: int | str | None = None) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        token, _ = Token.objects.get_or_create(user=actor.user)
        headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
        if acting is not None:
            headers["HTTP_X_ACTING_ORGANISATION"] = str(acting)
        client.credentials(**headers)
        return client

    return make


def iso(value) -> str:
    return timezone.localtime(value).isoformat()


@pytest.fixture
def tenderer_org(db):
    return OrganisationFactory(kind=Organisation.Kind.TENDERER)


@pytest.fixture
def tender_body(tenderer_org):
    """A valid create body for an agency (a 20-day open tender, two lots); overrides replace keys."""

    def make(**overrides) -> dict:
        start = clock.now() + timedelta(hours=2)
        body = {
            "title": "安吉县递铺街道污水管网改造工程",
            "category": "works",
            "method": "open",
            "budget": "5000000.00",
            "tenderer_id": tenderer_org.pk,
            "region": "浙江省/湖州市/安吉县",
            "description": "管网改造",
            "publish_at": iso(start),
            "clarification_deadline": iso(start + timedelta(days=10)),
            "bid_deadline": iso(start + timedelta(days=25)),
            "evaluation_planned_at": iso(start + timedelta(days=26)),
            "decryption_window_minutes": 30,
            "lots": [
                {"name": "第1标段", "budget": "3000000.00", "ceiling_price": "2900000.00"},
                {"name": "第2标段", "budget": "2000000.00", "ceiling_price": "1950000.00"},
            ],
        }
        body.update(overrides)
        return body

    return make


@pytest.fixture
def published_tender(agency, tenderer_org, centre):
    """A tender the centre has approved, public from now on."""
    tender = make_tender(agency=agency, tenderer=tenderer_org, start=clock.now() - timedelta(minutes=1))
    tender_submit(actor=agency, tender=tender)
    return tender_review(actor=centre, tender=tender, approve=True)


@pytest.fixture
def counts():
    """How many tenders and ledger events exist: a refused request must change neither."""

    def snapshot() -> tuple[int, int]:
        return Tender.objects.count(), Event.objects.count()

    return snapshot
