"""Timeline rules for a tender. Numbers come from settings (RULES.md); this applies them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from workdays.selectors import add_working_days


@dataclass(frozen=True)
class Period:
    amount: int
    working_days: bool

    def after(self, start: datetime) -> datetime:
        """The earliest moment that is this period after `start`."""
        if self.working_days:
            local = timezone.localtime(start)
            day = add_working_days(local.date(), self.amount)
            return local.replace(year=day.year, month=day.month, day=day.day)
        return start + timedelta(days=self.amount)

    def describe(self) -> str:
        if self.working_days:
            return _("%(n)d working days") % {"n": self.amount}
        return _("%(n)d days") % {"n": self.amount}


def _period(table: dict, method: str) -> Period:
    value = table.get(method, table.get("default", 0))
    if isinstance(value, (list, tuple)):
        return Period(int(value[0]), value[1] == "working_days")
    return Period(int(value), False)


def bid_period(method: str) -> Period:
    """Minimum time from publication to the bid deadline (settings.BID_PERIOD_MIN)."""
    return _period(settings.BID_PERIOD_MIN, method)


def clarification_period(method: str) -> Period:
    """How long before the deadline a clarification must reach bidders (settings.CLARIFICATION_MIN_BEFORE_DEADLINE)."""
    return _period(settings.CLARIFICATION_MIN_BEFORE_DEADLINE, method)


def fmt(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
