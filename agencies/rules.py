"""The 三色令 numbers, read from settings where they are applied ([INFERRED] RULES T0/T1/T4)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agencies.models import Colour
from workdays.selectors import add_working_days

# Readable names of the catalogue's types; the numbers live in settings.AGENCY_VIOLATION_TYPES.
VIOLATION_LABELS = {
    "filing_errors": _("Errors in the tender documents found at filing review"),
    "archive_late": _("Archive hand-over missing or late"),
    "procedure_breach": _("Procedural breach at opening or evaluation"),
    "complaint_upheld": _("Complaint upheld against it"),
    "false_materials": _("False materials"),
    "collusion": _("Involvement in collusion (串通)"),
}
# The notice (通报) is an official Chinese document whatever the reader's language.
VIOLATION_NAMES_ZH = {
    "filing_errors": "招标文件备案审查发现错误",
    "archive_late": "未按规定移交或逾期移交项目档案",
    "procedure_breach": "开标、评标过程中程序违规",
    "complaint_upheld": "投诉经查属实",
    "false_materials": "提供虚假材料",
    "collusion": "参与串通投标",
}
SCORE_BAND_LABELS = {"excellent": _("Excellent"), "good": _("Good"), "fair": _("Fair"), "poor": _("Poor")}
COMPLAINT_TYPE = "complaint_upheld"


@dataclass(frozen=True)
class ViolationType:
    code: str
    label: str
    colour: str
    deduction: int


def violation_types() -> list[ViolationType]:
    return [ViolationType(code, str(VIOLATION_LABELS.get(code, spec.get("label", code))), spec["colour"],
                          int(spec["deduction"]))
            for code, spec in settings.AGENCY_VIOLATION_TYPES.items()]


def violation_type(code: str) -> ViolationType | None:
    return next((t for t in violation_types() if t.code == code), None)


def violation_label(code: str) -> str:
    vt = violation_type(code)
    return vt.label if vt else code


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def card_expiry(colour: str, issued_on: date) -> date:
    """Cards are in force for 3/6/12 months by colour (settings.AGENCY_CARD_VALIDITY_MONTHS; RULES T1, T4)."""
    return add_months(issued_on, settings.AGENCY_CARD_VALIDITY_MONTHS[colour])


def deduction_effective(decided_on: date) -> date:
    """Deductions count from the day after the decision (RULES T1)."""
    return decided_on + timedelta(days=1)


def escalation_window_start(issued_on: date) -> date:
    """A second card of a colour within this window escalates (settings.AGENCY_ESCALATION_WINDOW_MONTHS; T4)."""
    return add_months(issued_on, -settings.AGENCY_ESCALATION_WINDOW_MONTHS)


ESCALATES_TO = {Colour.BLUE: Colour.YELLOW, Colour.YELLOW: Colour.RED}


def response_due(recorded_on: date) -> date:
    """The intermediary states its defence within 5 working days of notification (RULES T1)."""
    return add_working_days(recorded_on, settings.AGENCY_RESPONSE_WORKING_DAYS)


def decision_due(start: date) -> date:
    """The regulator decides within 10 working days of the response or of the response period's end (T1)."""
    return add_working_days(start, settings.AGENCY_DECISION_WORKING_DAYS)


def appeal_due(decided_on: date) -> date:
    """An appeal may be lodged within 15 working days of the decision ([INFERRED] RULES T4)."""
    return add_working_days(decided_on, settings.AGENCY_APPEAL_WORKING_DAYS)


def score_band(score: int) -> str:
    for code, low in settings.AGENCY_SCORE_BANDS:
        if score >= low:
            return code
    return settings.AGENCY_SCORE_BANDS[-1][0]
