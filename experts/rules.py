"""The draw request's rules, each read from a setting at the moment it is applied (RULES X3, X4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from bidding.models import Category, Tender
from workdays.selectors import add_working_days, working_days_between


@dataclass(frozen=True)
class BucketRequest:
    specialty_id: int
    count: int


def minimum_committee(tender: Tender) -> int:
    # 87号令 / RULES X3: government procurement with a budget of 10 million 元 or more needs at least 7.
    if tender.category == Category.GOVERNMENT and tender.budget >= Decimal(settings.DRAW_LARGE_GP_BUDGET):
        return settings.DRAW_MIN_COMMITTEE_LARGE_GP
    return settings.DRAW_MIN_COMMITTEE  # 招标投标法 art. 37: at least 5 (RULES X3)


def committee_errors(tender: Tender, size: int, experts: int) -> list[str]:
    errors = []
    minimum = minimum_committee(tender)
    if size % 2 == 0:
        errors.append(_("The committee must have an odd number of members; %(n)d is even (RULES X3).") % {"n": size})
    if size < minimum:
        errors.append(_("This tender needs a committee of at least %(min)d; %(n)d were asked for (RULES X3).")
                      % {"min": minimum, "n": size})
    num, den = settings.DRAW_EXPERT_SHARE
    if experts > size:
        errors.append(_("The buckets ask for %(e)d experts, more than the committee's %(n)d members.")
                      % {"e": experts, "n": size})
    elif experts * den < size * num:
        errors.append(_("Technical and economic experts must be at least two thirds of the committee: %(e)d of "
                        "%(n)d is too few (RULES X3).") % {"e": experts, "n": size})
    return errors


def earliest_draw_day(evaluation_at: datetime):
    """财库〔2016〕198号 (RULES X4): a draw starts no earlier than N working days before evaluation."""
    return add_working_days(evaluation_at, -settings.DRAW_EARLIEST_WORKING_DAYS)


def timing_errors(evaluation_at: datetime, now: datetime) -> list[str]:
    if evaluation_at <= now:
        return [_("The evaluation time must be in the future.")]
    if working_days_between(now, evaluation_at) > settings.DRAW_EARLIEST_WORKING_DAYS:
        return [_("Too early: the draw may start no earlier than %(n)d working days before evaluation, that is "
                  "from %(day)s (RULES X4).") % {"n": settings.DRAW_EARLIEST_WORKING_DAYS,
                                                 "day": earliest_draw_day(evaluation_at).isoformat()}]
    return []


def committed_rules(*, tender: Tender, draw, buckets: list[dict]) -> dict:
    """Everything that decided eligibility, as committed (hashed) before the draw."""
    return {
        "tender": tender.pk, "lot": draw.lot_id, "category": tender.category,
        "evaluation_at": timezone.localtime(draw.evaluation_at).isoformat(),
        "evaluation_day": timezone.localtime(draw.evaluation_at).date().isoformat(),
        "remote": draw.remote, "allowed_regions": list(draw.allowed_regions),
        "project_region": tender.region, "committee_size": draw.committee_size, "buckets": buckets,
        "exclude_own_county": settings.DRAW_EXCLUDE_OWN_COUNTY,
        "penalty_years": settings.DRAW_PENALTY_YEARS, "relationship_years": settings.DRAW_RELATIONSHIP_YEARS,
        "max_selections": settings.DRAW_MAX_SELECTIONS, "selection_window_days": settings.DRAW_SELECTION_WINDOW_DAYS,
        "max_age": settings.EXPERT_MAX_AGE,
    }
