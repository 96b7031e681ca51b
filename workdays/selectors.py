"""One working-day calendar for the whole platform.

Chinese public holidays and the adjusted working weekends (调休) come from the
maintained `holidays` package (its China calendar follows the State Council's
yearly notice); the trading centre's WorkdayOverride rows amend it, for a year
the package does not yet know or a local closure."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

from workdays.models import WorkdayOverride


@lru_cache(maxsize=64)
def _national(year: int) -> tuple[frozenset[date], frozenset[date]]:
    cn = holidays.China(years=year)
    rest = frozenset(d for d in cn if d.year == year)
    work = frozenset(d for d in getattr(cn, "weekend_workdays", set()) if d.year == year)
    return rest, work


def national_is_working_day(day: date) -> bool:
    rest, work = _national(day.year)
    if day in work:
        return True
    if day in rest:
        return False
    return day.weekday() < 5


class Calendar:
    """Answers for a span of days with one query for the amendments in it."""

    def __init__(self, start: date, end: date):
        self.overrides = dict(
            WorkdayOverride.objects.filter(day__gte=start, day__lte=end).values_list("day", "is_working_day"))

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return national_is_working_day(day)


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def is_working_day(day: date | datetime) -> bool:
    day = _as_date(day)
    return Calendar(day, day).is_working_day(day)


def add_working_days(start: date | datetime, n: int) -> date:
    """The date n working days after start (start itself not counted). n may be negative."""
    day = _as_date(start)
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    span = timedelta(days=remaining * 3 + 30)
    cal = Calendar(day - span, day + span) if step < 0 else Calendar(day, day + span)
    while remaining:
        day += timedelta(days=step)
        if cal.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date | datetime, end: date | datetime) -> int:
    """Working days after start up to and including end (0 when end <= start)."""
    a, b = _as_date(start), _as_date(end)
    if b <= a:
        return 0
    cal = Calendar(a, b)
    return sum(1 for i in range(1, (b - a).days + 1) if cal.is_working_day(a + timedelta(days=i)))


def month_days(year: int, month: int) -> list[tuple[date, bool, bool]]:
    """(day, working?, amended?) for every day of a month, for the calendar page."""
    first = date(year, month, 1)
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
    cal = Calendar(first, last)
    return [(first + timedelta(days=i), cal.is_working_day(first + timedelta(days=i)),
             (first + timedelta(days=i)) in cal.overrides) for i in range((last - first).days + 1)]


def overrides_between(start: date, end: date):
    """The trading centre's amendments in a span of days, with their notes, for the calendar page."""
    return WorkdayOverride.objects.filter(day__gte=start, day__lte=end).select_related("created_by").order_by("day")
