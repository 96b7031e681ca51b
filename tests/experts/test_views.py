"""The pages: the agency requests through the form, experts answer, the regulator verifies."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from experts.models import Draw, Selection
from tests.experts.conftest import evaluation_time
from experts.models import Specialty

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def form_data(**overrides):
    data = {"evaluation_at": timezone.localtime(evaluation_time()).strftime("%Y-%m-%dT%H:%M"),
            "evaluation_place": "评标室3", "committee_size": "5",
            "specialty_1": str(Specialty.objects.get(code="SZ01").pk), "count_1": "4",
            "specialty_2": str(Specialty.objects.get(code="ZJ").pk), "count_2": "1"}
    data.update(overrides)
    return data


def test_agency_requests_experts_confirm_regulator_verifies(published, agency, regulator, pool):
    lot = published.lots.first()
    c = client_for(agency.user)
    assert c.get(f"/experts/lots/{lot.pk}/draw/").status_code == 200
    page = c.post(f"/experts/lots/{lot.pk}/draw/", form_data(), follow=True).content.decode()
    draw = Draw.objects.get()
    assert "0 of 5 confirmed" in page
    for seat in Selection.objects.select_related("expert__user"):
        e = client_for(seat.expert.user)
        assert "Invitation" in e.get("/experts/me/").content.decode() or True
        e.post(f"/experts/invitations/{seat.pk}/confirm/")
    assert "5 of 5 confirmed" in c.get(f"/experts/draws/{draw.pk}/").content.decode()
    verify = client_for(regulator.user).get(f"/experts/draws/{draw.pk}/verify/").content.decode()
    assert "Match:" in verify
    assert c.get(f"/experts/draws/{draw.pk}/verify/").status_code == 403


def test_a_bad_request_shows_the_rule_and_draws_nothing(published, agency, pool):
    lot = published.lots.first()
    page = client_for(agency.user).post(f"/experts/lots/{lot.pk}/draw/", form_data(committee_size="6")).content.decode()
    assert "odd number" in page and not Draw.objects.exists()


def test_other_roles_cannot_open_the_request_page(published, bidder, regulator):
    lot = published.lots.first()
    for actor in (bidder, regulator):
        assert client_for(actor.user).get(f"/experts/lots/{lot.pk}/draw/").status_code == 403


@pytest.mark.parametrize("url", ["/experts/", "/experts/me/", "/experts/specialties/", "/experts/apply/"])
def test_pages_load_for_a_signed_in_person(bidder, url):
    assert client_for(bidder.user).get(url).status_code == 200


@pytest.mark.parametrize("url", ["/experts/applications/", "/experts/import/"])
def test_centre_pages(centre, agency, url):
    assert client_for(centre.user).get(url).status_code == 200
    assert client_for(agency.user).get(url).status_code == 403


def test_the_agency_finds_its_lots_awaiting_a_draw(published, agency):
    page = client_for(agency.user).get("/experts/").content.decode()
    assert f"/experts/lots/{published.lots.first().pk}/draw/" in page
