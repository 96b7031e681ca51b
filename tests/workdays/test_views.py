"""The working-day calendar page: a month for everyone signed in; amendments by the trading centre only."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Organisation
from tests.factories import actor_of
from witness.models import Event
from workdays.models import WorkdayOverride
from workdays.selectors import is_working_day
from workdays.services import workday_override_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def signed_in(client, actor):
    client.force_login(actor.user)
    return client


def month(client, year: int, m: int):
    return client.get(reverse("workdays:calendar"), {"year": year, "month": m})


def cells(response) -> dict[date, dict]:
    return {cell["date"]: cell for week in response.context["weeks"] for cell in week if cell}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("workdays:calendar"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("kind", ["bidder", "tenderer", "agency", "regulator", "centre"])
def test_every_signed_in_role_sees_the_month(client, kind):
    response = month(signed_in(client, actor_of(kind)), 2025, 10)
    assert response.status_code == 200
    days = cells(response)
    assert len(days) == 31
    # National Day holiday: 1 October 2025 is a rest day; Saturday 11 October 2025 is an adjusted working day
    assert days[date(2025, 10, 1)]["working"] is False
    assert days[date(2025, 10, 11)]["working"] is True
    # weeks start on Monday: 1 October 2025 is a Wednesday, so two blank cells lead
    assert response.context["weeks"][0][:3] == [None, None, days[date(2025, 10, 1)]]
    assert 'class="day rest' in response.content.decode()


def test_the_month_navigation_links_to_the_neighbouring_months(client, bidder):
    response = month(signed_in(client, bidder), 2025, 1)
    assert response.context["prev_url"].endswith("?year=2024&month=12")
    assert response.context["next_url"].endswith("?year=2025&month=2")


@pytest.mark.parametrize("query", [{"year": "abc", "month": "1"}, {"year": "2025", "month": "13"},
                                   {"year": "99999", "month": "2"}, {}])
def test_an_unreadable_month_falls_back_to_the_current_month(client, bidder, query):
    response = signed_in(client, bidder).get(reverse("workdays:calendar"), query)
    assert response.status_code == 200
    assert response.context["first"].day == 1


def test_the_centre_amends_a_day_and_it_is_marked(client, centre):
    signed_in(client, centre)
    response = client.post(reverse("workdays:amend"),
                           {"day": "2031-03-03", "kind": "rest", "note": "县政府通知：临时闭馆"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2031&month=3")
    assert is_working_day(date(2031, 3, 3)) is False
    response = month(client, 2031, 3)
    day = cells(response)[date(2031, 3, 3)]
    assert day["amended"] and not day["working"] and day["note"] == "县政府通知：临时闭馆"
    assert "amended" in response.content.decode()


def test_an_amendment_without_a_note_is_refused(client, centre):
    response = signed_in(client, centre).post(reverse("workdays:amend"),
                                              {"day": "2031-03-03", "kind": "rest", "note": ""})
    assert response.status_code == 200
    assert "note" in response.context["amend_form"].errors
    assert not WorkdayOverride.objects.exists()


@pytest.mark.parametrize("kind", ["bidder", "tenderer", "agency", "regulator"])
def test_other_roles_cannot_amend_the_calendar(client, kind):
    before = Event.objects.count()
    response = signed_in(client, actor_of(kind)).post(
        reverse("workdays:amend"), {"day": "2031-03-03", "kind": "rest", "note": "not mine to change"}, follow=True)
    assert "Your role does not allow this action." in response.content.decode()
    assert not WorkdayOverride.objects.exists()
    assert Event.objects.count() == before


def test_a_centre_awaiting_approval_cannot_amend_either(client):
    pending_centre = actor_of("centre", status=Organisation.Status.PENDING)
    response = signed_in(client, pending_centre).get(reverse("workdays:calendar"))
    assert response.context["may_amend"] is False


def test_only_the_centre_sees_the_amend_form(client, centre, bidder):
    assert month(signed_in(client, centre), 2031, 3).context["may_amend"] is True
    client.logout()
    response = month(signed_in(client, bidder), 2031, 3)
    assert response.context["may_amend"] is False
    assert reverse("workdays:amend") not in response.content.decode()


def test_the_centre_removes_an_amendment(client, centre):
    workday_override_set(actor=centre, day=date(2031, 3, 3), is_working_day=False, note="临时闭馆")
    signed_in(client, centre).post(reverse("workdays:amendment_remove"), {"day": "2031-03-03"})
    assert not WorkdayOverride.objects.exists()
    assert is_working_day(date(2031, 3, 3)) is True


def test_removing_a_missing_amendment_says_so(client, centre):
    response = signed_in(client, centre).post(reverse("workdays:amendment_remove"), {"day": "2031-03-04"},
                                              follow=True)
    assert "has no amendment to remove" in response.content.decode()


def test_other_roles_cannot_remove_an_amendment(client, centre, agency):
    workday_override_set(actor=centre, day=date(2031, 3, 3), is_working_day=False, note="临时闭馆")
    signed_in(client, agency).post(reverse("workdays:amendment_remove"), {"day": "2031-03-03"})
    assert WorkdayOverride.objects.filter(day=date(2031, 3, 3)).exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2031-02-30", "tomorrow"])
def test_an_impossible_date_is_refused_without_an_error_page(client, centre, day):
    response = signed_in(client, centre).post(reverse("workdays:amend"), {"day": day, "kind": "rest", "note": "x"})
    assert response.status_code == 200
    assert "day" in response.context["amend_form"].errors
    assert not WorkdayOverride.objects.exists()
