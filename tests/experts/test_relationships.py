"""An expert declares and withdraws relationships (回避 data, RULES X6), through the service and the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from core import clock
from core.actor import Actor
from core.errors import DomainError, PermissionDenied
from experts.models import Relationship
from experts.services.records import relationship_declare, relationship_withdraw
from tests.factories import OrganisationFactory, make_expert
from witness.models import Event

pytestmark = pytest.mark.django_db


def me(expert) -> Actor:
    return Actor(user=expert.user, organisation=None, role="none")


def state():
    return list(Relationship.objects.order_by("pk").values_list("pk", "ended_on")), Event.objects.count()


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_an_expert_declares_a_shareholding_linked_to_a_platform_organisation():
    expert = make_expert()
    org = OrganisationFactory(kind="bidder")
    r = relationship_declare(actor=me(expert), expert=expert, kind="shareholding", organisation_name=org.name,
                             credit_code_value=org.credit_code.lower())
    assert r.organisation == org and r.credit_code == org.credit_code
    assert Event.objects.get(action="expert.relationship_declared").data["relationship"] == r.pk


@pytest.mark.parametrize("kind, name, code, field", [
    ("friendship", "某公司", "", "kind"),
    ("relative", "  ", "", "organisation_name"),
    ("cooperation", "某公司", "91330100MA27XXXX1X", "credit_code"),
])
def test_a_bad_declaration_is_refused_and_nothing_changes(kind, name, code, field):
    expert = make_expert()
    before = state()
    with pytest.raises(DomainError) as caught:
        relationship_declare(actor=me(expert), expert=expert, kind=kind, organisation_name=name,
                             credit_code_value=code)
    assert field in caught.value.fields
    assert state() == before


def test_withdrawal_ends_the_relationship_once():
    expert = make_expert()
    r = relationship_declare(actor=me(expert), expert=expert, kind="employment", organisation_name="杭州某设计院")
    relationship_withdraw(actor=me(expert), relationship=r)
    r.refresh_from_db()
    assert r.ended_on == clock.now().date()
    before = state()
    with pytest.raises(DomainError, match="already withdrawn"):
        relationship_withdraw(actor=me(expert), relationship=r)
    other = relationship_declare(actor=me(expert), expert=expert, kind="relative", organisation_name="某建设公司")
    before = state()
    with pytest.raises(DomainError):
        relationship_withdraw(actor=me(expert), relationship=other, ended_on=clock.now().date() + timedelta(days=1))
    assert state() == before


def test_nobody_else_but_the_centre_declares_for_an_expert(centre, agency):
    expert = make_expert()
    other = make_expert()
    before = state()
    for actor in (me(other), agency):
        with pytest.raises(PermissionDenied):
            relationship_declare(actor=actor, expert=expert, kind="relative", organisation_name="某公司")
    assert state() == before
    relationship_declare(actor=centre, expert=expert, kind="relative", organisation_name="某公司")


def test_the_relationships_page():
    expert = make_expert()
    c = client_for(expert.user)
    assert c.get("/experts/me/relationships/").status_code == 200
    r = c.post("/experts/me/relationships/", {"kind": "cooperation", "organisation_name": "湖州明诚工程咨询有限公司",
                                              "credit_code": "", "note": "合作课题"})
    assert r.status_code == 302
    rel = Relationship.objects.get()
    page = c.get("/experts/me/relationships/").content.decode()
    assert "湖州明诚工程咨询有限公司" in page and f"/experts/me/relationships/{rel.pk}/withdraw/" in page
    before = state()
    r = c.post("/experts/me/relationships/", {"kind": "cooperation", "organisation_name": "", "credit_code": "123"})
    assert r.status_code == 400 and "Enter the organisation." in r.content.decode()
    assert state() == before
    c.post(f"/experts/me/relationships/{rel.pk}/withdraw/", {"ended_on": ""})
    rel.refresh_from_db()
    assert rel.ended_on == clock.now().date()


def test_the_page_is_the_experts_own(bidder):
    expert = make_expert()
    rel = relationship_declare(actor=me(expert), expert=expert, kind="relative", organisation_name="某公司")
    other = client_for(make_expert().user)
    assert other.post(f"/experts/me/relationships/{rel.pk}/withdraw/").status_code == 404
    assert client_for(bidder.user).get("/experts/me/relationships/").status_code == 404
    rel.refresh_from_db()
    assert rel.ended_on is None
