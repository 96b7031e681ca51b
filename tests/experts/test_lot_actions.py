"""The tender page offers the tender's operator a "request an expert draw" link per lot, through the
bidding.hooks lot-actions registry that ExpertsConfig.ready() fills (bidding never imports experts)."""

from __future__ import annotations

import pytest
from django.test import Client

from bidding.hooks import LotAction, lot_actions, register_lot_actions, unregister_lot_actions
from tests.factories import actor_of

pytestmark = pytest.mark.django_db


def page_for(actor, tender) -> str:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if actor is not None:
        c.force_login(actor.user)
    return c.get(f"/tenders/{tender.pk}/").content.decode()


def test_the_operator_sees_the_draw_link_for_each_lot(published, agency):
    lot = published.lots.get()
    link = f"/experts/lots/{lot.pk}/draw/"
    assert link in page_for(agency, published)
    assert "Request an expert draw" in page_for(agency, published)


@pytest.mark.parametrize("who", ["tenderer", "other-agency", "bidder", "centre", "regulator", "anonymous"])
def test_nobody_else_sees_it(published, tenderer, who):
    actor = {"tenderer": tenderer, "anonymous": None}.get(who) or actor_of(who.replace("other-", ""))
    assert "/draw/" not in page_for(actor, published)


def test_not_on_a_draft(draft_tender, agency):
    assert "/experts/lots/" not in page_for(agency, draft_tender)


def test_the_registry_collects_and_forgets_providers(published, agency):
    lot = published.lots.get()
    extra = LotAction(label="x", url="/x/")

    def provider(actor, lot):
        return [extra]
    register_lot_actions(provider)
    register_lot_actions(provider)
    try:
        actions = lot_actions(agency, lot)
        assert actions[-1] == extra and actions.count(extra) == 1
    finally:
        unregister_lot_actions(provider)
    assert extra not in lot_actions(agency, lot)
