"""One journey through real pages in Chromium: the agency requests an expert draw for a lot of a published
tender from the tender page, the drawn experts confirm on their own page, and the regulator opens the
verification page and sees the draw match its committed inputs."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps

from bidding.services import tender_review, tender_submit
from core import clock
from experts.models import Draw, DrawStatus, Selection, SelectionState, Specialty
from tests.browser.people import local, sign_in
from tests.experts.conftest import evaluation_time
from tests.factories import actor_of, make_expert, make_tender
from witness.verify import chain_verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def specialty_tree() -> None:
    """A transactional test before this one flushed every table, the migrated specialty tree included."""
    importlib.import_module("experts.migrations.0002_seed_specialties").seed(apps, None)


def test_agency_draws_experts_confirm_regulator_verifies(live_server, new_page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    specialty_tree()
    agency, tenderer = actor_of("agency"), actor_of("tenderer")
    centre, regulator = actor_of("centre"), actor_of("regulator")
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, start=clock.now() - timedelta(hours=1),
                         region="浙江省/湖州市/安吉县")
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=centre, tender=tender, approve=True)
    lot = tender.lots.get()
    for _ in range(8):
        make_expert(specialties=["SZ01"])
    for _ in range(3):
        make_expert(specialties=["ZJ"])

    # Given the agency officer on the published tender's page, when she follows the lot's draw link …
    page = new_page()
    sign_in(page, live_server, agency.user)
    page.goto(f"{live_server.url}/tenders/{tender.pk}/")
    page.locator(f"#lots a[href='/experts/lots/{lot.pk}/draw/']").click()
    page.wait_for_load_state()
    # … and asks for 4 road experts and 1 cost expert for a committee of five,
    page.fill("input[name=evaluation_at]", local(evaluation_time()))
    page.fill("input[name=evaluation_place]", "安吉县公共资源交易中心第三评标室")
    page.fill("input[name=committee_size]", "5")
    page.select_option("select[name=specialty_1]", str(Specialty.objects.get(code="SZ01").pk))
    page.fill("input[name=count_1]", "4")
    page.select_option("select[name=specialty_2]", str(Specialty.objects.get(code="ZJ").pk))
    page.fill("input[name=count_2]", "1")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()

    # then five experts are drawn and she sees counts only, never names.
    draw = Draw.objects.get(lot=lot)
    assert page.url.rstrip("/").endswith(f"/experts/draws/{draw.pk}"), page.content()[:2000]
    seats = list(Selection.objects.filter(draw=draw).select_related("expert__user"))
    assert len(seats) == 5 and draw.status == DrawStatus.CONFIRMING
    body = page.locator("main").inner_text()
    assert all(s.expert.name not in body for s in seats)

    # When each drawn expert confirms on his own page …
    for seat in seats:
        expert_page = new_page()
        sign_in(expert_page, live_server, seat.expert.user)
        expert_page.goto(f"{live_server.url}/experts/me/")
        assert tender.title in expert_page.locator("main").inner_text()
        expert_page.locator(f"form[action='/experts/invitations/{seat.pk}/confirm/'] button").click()
        expert_page.wait_for_load_state()
        expert_page.context.close()
    # … then the committee is complete.
    draw.refresh_from_db()
    assert draw.status == DrawStatus.COMPLETE
    assert Selection.objects.filter(draw=draw, state=SelectionState.CONFIRMED).count() == 5

    # When the regulator opens the draw and its verification page, then the recomputation matches.
    watch = new_page()
    sign_in(watch, live_server, regulator.user)
    watch.goto(f"{live_server.url}/experts/draws/{draw.pk}/")
    assert all(s.expert.name in watch.locator("main").inner_text() for s in seats)
    watch.locator(f"a[href='/experts/draws/{draw.pk}/verify/']").click()
    watch.wait_for_load_state()
    verdict = watch.locator("#verdict")
    assert "msg-success" in verdict.get_attribute("class")
    assert chain_verify().ok
