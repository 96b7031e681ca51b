"""The working-day calendar: the national holidays and adjusted working weekends (调休) from the `holidays`
package, amended by the trading centre.

2026 as the State Council's holiday notice and the `holidays` package have it: Mid-Autumn
Festival Fri 25 September; National Day 1–7 October rest; Sunday 20 September and Saturday 10 October
are working days. Thursday 8 October is an ordinary working day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.utils import translation

from core.errors import DomainError, PermissionDenied
from workdays.models import WorkdayOverride
from workdays.selectors import add_working_days, is_working_day, month_days, working_days_between
from tests.factories import actor_of
from witness.models import Event
from workdays.services import workday_override_remove, workday_override_set

SHANGHAI = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY_REST = [date(2026, 10, d) for d in range(1, 8)]
ADJUSTED_WORKING = [date(2026, 9, 20), date(2026, 10, 10)]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield



def test_the_holidays_package_has_the_2026_national_day_arrangement():
    # the calendar's source, checked first: if this fails the package changed, not our code
    cn = holidays.China(years=2026)
    rest = {d for d in cn if date(2026, 9, 15) <= d <= date(2026, 10, 15)}
    assert rest | {date(2026, 10, 4)} == {date(2026, 9, 25), *NATIONAL_DAY_REST}  # the 4th is a Sunday anyway
    assert {d for d in cn.weekend_workdays if d.year == 2026 and d.month in (9, 10)} == set(ADJUSTED_WORKING)


@pytest.mark.django_db
@pytest.mark.parametrize("day", NATIONAL_DAY_REST, ids=str)
def test_national_day_is_a_rest_period(day):
    assert not is_working_day(day)


@pytest.mark.django_db
@pytest.mark.parametrize("day", ADJUSTED_WORKING, ids=str)
def test_the_adjusted_weekend_days_are_working_days(day):
    assert day.weekday() >= 5
    assert is_working_day(day)


@pytest.mark.django_db
def test_ordinary_days():
    assert is_working_day(date(2026, 10, 8))  # Thursday after the holiday
    assert is_working_day(date(2026, 9, 24))  # Thursday
    assert not is_working_day(date(2026, 9, 19))  # Saturday
    assert not is_working_day(date(2026, 9, 25))  # Mid-Autumn Festival, a Friday
    assert not is_working_day(date(2026, 11, 21))  # an ordinary Saturday


@pytest.mark.django_db
def test_an_aware_datetime_is_read_in_local_time():
    # 2026-10-07 17:00 UTC is already 8 October in Shanghai, a working day
    assert is_working_day(datetime(2026, 10, 7, 17, 0, tzinfo=ZoneInfo("UTC")))
    assert not is_working_day(datetime(2026, 10, 7, 15, 0, tzinfo=ZoneInfo("UTC")))


@pytest.mark.django_db
@pytest.mark.parametrize("start, n, expected", [
    pytest.param(date(2026, 9, 30), 1, date(2026, 10, 8), id="over-national-day"),
    pytest.param(date(2026, 9, 30), 3, date(2026, 10, 10), id="onto-the-adjusted-saturday"),
    pytest.param(date(2026, 9, 30), 4, date(2026, 10, 12), id="past-the-adjusted-saturday"),
    pytest.param(date(2026, 9, 18), 1, date(2026, 9, 20), id="onto-the-adjusted-sunday"),
    pytest.param(date(2026, 9, 24), 1, date(2026, 9, 28), id="over-mid-autumn"),
    pytest.param(date(2026, 10, 8), -1, date(2026, 9, 30), id="backwards-over-national-day"),
    pytest.param(date(2026, 10, 1), 0, date(2026, 10, 1), id="zero"),
])
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.django_db
def test_working_days_between():
    # after 30 September up to and including 12 October: 8, 9, 10 and 12 October
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    assert working_days_between(date(2026, 10, 12), date(2026, 9, 30)) == 0
    start = datetime(2026, 9, 18, 10, 0, tzinfo=SHANGHAI)
    assert working_days_between(start, start + timedelta(days=4)) == 3  # Sun 20th, Mon 21st, Tue 22nd


@pytest.mark.django_db
def test_month_days_marks_working_days_and_amendments(centre):
    workday_override_set(actor=centre, day=date(2026, 10, 9), is_working_day=False, note="台风停工")
    october = {day: (working, amended) for day, working, amended in month_days(2026, 10)}
    assert len(october) == 31
    assert october[date(2026, 10, 1)] == (False, False)
    assert october[date(2026, 10, 9)] == (False, True)
    assert october[date(2026, 10, 10)] == (True, False)


# --- the centre's amendments -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_override_making_a_day_a_rest_day_changes_add_working_days(centre):
    # given the national calendar counts 8 October as the first working day after 30 September
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # when the centre closes on 8 October
    override = workday_override_set(actor=centre, day=date(2026, 10, 8), is_working_day=False, note="本中心系统升级")
    # then the first working day is the 9th, and the amendment is witnessed
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 9)
    event = Event.objects.get(action="calendar.amended")
    assert event.subject_id == str(override.pk)
    assert event.data == {"day": "2026-10-08", "is_working_day": False, "note": "本中心系统升级"}
    # and removing it restores the national calendar, also witnessed
    workday_override_remove(actor=centre, day=date(2026, 10, 8))
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert Event.objects.filter(action="calendar.amendment_removed").count() == 1
    assert not WorkdayOverride.objects.exists()


@pytest.mark.django_db
def test_an_override_making_a_day_a_working_day(centre):
    workday_override_set(actor=centre, day=date(2026, 10, 3), is_working_day=True, note="开标集中日")
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 3)


@pytest.mark.django_db
def test_setting_an_override_again_changes_it(centre):
    workday_override_set(actor=centre, day=date(2026, 10, 8), is_working_day=False, note="停电")
    workday_override_set(actor=centre, day=date(2026, 10, 8), is_working_day=True, note="恢复")
    assert WorkdayOverride.objects.get().is_working_day is True
    assert Event.objects.filter(action="calendar.amended").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["agency", "tenderer", "bidder", "regulator"])
def test_only_the_centre_amends_the_calendar(centre, kind):
    actor = actor_of(kind)
    workday_override_set(actor=centre, day=date(2026, 10, 9), is_working_day=False, note="台风")
    before = Event.objects.count()
    with pytest.raises(PermissionDenied):
        workday_override_set(actor=actor, day=date(2026, 10, 8), is_working_day=False, note="x")
    with pytest.raises(PermissionDenied):
        workday_override_remove(actor=actor, day=date(2026, 10, 9))
    assert list(WorkdayOverride.objects.values_list("day", flat=True)) == [date(2026, 10, 9)]
    assert Event.objects.count() == before


@pytest.mark.django_db
def test_an_override_needs_a_note_and_removal_needs_an_override(centre):
    with pytest.raises(DomainError) as caught:
        workday_override_set(actor=centre, day=date(2026, 10, 8), is_working_day=False, note=" ")
    assert "note" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        workday_override_remove(actor=centre, day=date(2026, 10, 8))
    assert "day" in caught.value.fields
    assert not Event.objects.exists()
