"""The centre's record of an expert: penalties, leave, suspension and retirement (services and pages).

Bad input: a clear message and nothing changed (rows and ledger events counted before and after)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from core import clock
from core.actor import Actor
from core.errors import DomainError, PermissionDenied
from experts.models import Expert, Leave, Penalty
from experts.services.records import expert_status_set, leave_record, penalty_record
from tests.factories import make_expert
from witness.models import Event

pytestmark = pytest.mark.django_db


def today():
    return clock.now().date()


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def state():
    return (Penalty.objects.count(), Leave.objects.count(),
            list(Expert.objects.order_by("pk").values_list("status", "suspended_until")), Event.objects.count())


def test_the_centre_records_a_penalty_with_date_and_reason(centre):
    # Given an expert, when the centre records a penalty, then it is kept and witnessed.
    expert = make_expert()
    penalty = penalty_record(actor=centre, expert=expert, decided_on=today() - timedelta(days=3),
                             authority="青溪县发展和改革局", description="评标中未按评标办法打分")
    event = Event.objects.get(action="expert.penalty_recorded")
    assert event.data["penalty"] == penalty.pk and event.data["reason"] == "评标中未按评标办法打分"


@pytest.mark.parametrize("decided, authority, description, field", [
    (None, "青溪县发展和改革局", "理由", "decided_on"),
    ("future", "青溪县发展和改革局", "理由", "decided_on"),
    ("past", " ", "理由", "authority"),
    ("past", "青溪县发展和改革局", "", "description"),
])
def test_a_bad_penalty_is_refused_and_nothing_changes(centre, decided, authority, description, field):
    expert = make_expert()
    day = {None: None, "future": today() + timedelta(days=1), "past": today()}[decided]
    before = state()
    with pytest.raises(DomainError) as caught:
        penalty_record(actor=centre, expert=expert, decided_on=day, authority=authority, description=description)
    assert field in caught.value.fields
    assert state() == before


def test_leave_is_recorded_and_checked(centre):
    expert = make_expert()
    leave_record(actor=centre, expert=expert, starts_on=today(), ends_on=today() + timedelta(days=5), reason="出国")
    assert Event.objects.filter(action="expert.leave_recorded").count() == 1
    before = state()
    for starts, ends, field in ((today(), today() - timedelta(days=1), "ends_on"),
                                (None, today(), "starts_on"),
                                (today() - timedelta(days=9), today() - timedelta(days=2), "ends_on")):
        with pytest.raises(DomainError) as caught:
            leave_record(actor=centre, expert=expert, starts_on=starts, ends_on=ends)
        assert field in caught.value.fields
    assert state() == before


def test_suspension_until_a_date_then_retirement(centre):
    expert = make_expert()
    until = today() + timedelta(days=90)
    expert_status_set(actor=centre, expert=expert, status="suspended", until=until, reason="被投诉，调查期间暂停")
    expert.refresh_from_db()
    assert (expert.status, expert.suspended_until) == ("suspended", until)
    expert_status_set(actor=centre, expert=expert, status="retired", reason="年满七十周岁")
    expert.refresh_from_db()
    assert (expert.status, expert.suspended_until) == ("retired", None)
    assert [e.data["to"] for e in Event.objects.filter(action="expert.status_changed").order_by("pk")] == \
        ["suspended", "retired"]
    before = state()
    with pytest.raises(DomainError, match="retired"):
        expert_status_set(actor=centre, expert=expert, status="active")
    assert state() == before


@pytest.mark.parametrize("status, until, reason, field", [
    ("suspended", None, "理由", "until"),
    ("suspended", "today", "理由", "until"),
    ("suspended", "later", "", "reason"),
    ("retired", None, "", "reason"),
    ("dormant", None, "理由", "status"),
    ("active", None, "", "status"),  # already active: nothing to change
])
def test_a_bad_status_change_is_refused_and_nothing_changes(centre, status, until, reason, field):
    expert = make_expert()
    day = {None: None, "today": today(), "later": today() + timedelta(days=30)}[until]
    before = state()
    with pytest.raises(DomainError) as caught:
        expert_status_set(actor=centre, expert=expert, status=status, until=day, reason=reason)
    assert field in caught.value.fields
    assert state() == before


def test_only_the_centre_changes_status_and_records_penalties_and_leave(agency, bidder):
    expert = make_expert()
    stranger = Actor(user=make_expert().user, organisation=None, role="none")
    before = state()
    for actor in (agency, bidder, stranger):
        with pytest.raises(PermissionDenied):
            expert_status_set(actor=actor, expert=expert, status="retired", reason="x")
        with pytest.raises(PermissionDenied):
            penalty_record(actor=actor, expert=expert, decided_on=today(), authority="a", description="b")
        with pytest.raises(PermissionDenied):
            leave_record(actor=actor, expert=expert, starts_on=today(), ends_on=today())
    assert state() == before


# --- pages --------------------------------------------------------------------------------------------

def test_the_centre_uses_the_record_page(centre):
    expert = make_expert()
    c = client_for(centre.user)
    url = f"/experts/pool/{expert.pk}/"
    page = c.get(url).content.decode()
    assert expert.name in page and expert.id_masked in page and "Record penalty" in page
    r = c.post(f"{url}penalties/", {"penalty-decided_on": today().isoformat(), "penalty-authority": "青溪县发改局",
                                    "penalty-description": "无故缺席评标"})
    assert r.status_code == 302 and Penalty.objects.get().description == "无故缺席评标"
    c.post(f"{url}leave/", {"leave-starts_on": today().isoformat(),
                            "leave-ends_on": (today() + timedelta(days=3)).isoformat(), "leave-reason": "住院"})
    assert Leave.objects.get().reason == "住院"
    until = today() + timedelta(days=30)
    c.post(f"{url}status/", {"status-status": "suspended", "status-until": until.isoformat(),
                             "status-reason": "调查期间"})
    expert.refresh_from_db()
    assert expert.suspended_until == until
    page = c.get(url).content.decode()
    assert "无故缺席评标" in page and "住院" in page and until.isoformat() in page


def test_the_record_page_shows_bad_input_and_changes_nothing(centre):
    expert = make_expert()
    c = client_for(centre.user)
    before = state()
    r = c.post(f"/experts/pool/{expert.pk}/penalties/", {"penalty-decided_on": "", "penalty-authority": "",
                                                         "penalty-description": ""})
    page = r.content.decode()
    assert r.status_code == 400
    assert "Enter the date of the decision." in page and "Enter the reason for the penalty." in page
    r = c.post(f"/experts/pool/{expert.pk}/status/", {"status-status": "suspended", "status-until": "",
                                                      "status-reason": ""})
    assert r.status_code == 400 and "Enter the date the suspension ends." in r.content.decode()
    r = c.post(f"/experts/pool/{expert.pk}/leave/", {"leave-starts_on": "not a date", "leave-ends_on": ""})
    assert r.status_code == 400
    assert state() == before
