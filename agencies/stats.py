"""Statistics for the regulator and the centre: cards by colour and type per month and year, intermediaries
by score band, and the figures a county work report quotes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import ExtractMonth

from agencies.models import Card, Colour
from agencies.rules import SCORE_BAND_LABELS, add_months, score_band, violation_label, violation_types
from agencies.selectors import agencies_listed, with_score

COLOURS = [Colour.BLUE, Colour.YELLOW, Colour.RED]


def cards_by_month(year: int) -> list[dict]:
    """Twelve rows: cards issued per colour in each month of `year` (revoked cards left out)."""
    rows = (Card.objects.filter(issued_on__year=year, revoked_at__isnull=True)
            .annotate(month=ExtractMonth("issued_on")).values("month", "colour").annotate(n=Count("pk")))
    grid: dict[int, dict[str, int]] = defaultdict(lambda: {c: 0 for c in COLOURS})
    for row in rows:
        grid[row["month"]][row["colour"]] = row["n"]
    return [{"month": m, **{c.value: grid[m][c] for c in COLOURS}, "total": sum(grid[m].values())}
            for m in range(1, 13)]


def cards_by_type(year: int) -> list[dict]:
    rows = (Card.objects.filter(issued_on__year=year, revoked_at__isnull=True)
            .values("violation_type", "colour").annotate(n=Count("pk")))
    grid: dict[str, dict[str, int]] = defaultdict(lambda: {c: 0 for c in COLOURS})
    for row in rows:
        grid[row["violation_type"]][row["colour"]] = row["n"]
    codes = [t.code for t in violation_types()] + sorted(set(grid) - {t.code for t in violation_types()})
    return [{"code": code, "label": violation_label(code), **{c.value: grid[code][c] for c in COLOURS},
             "total": sum(grid[code].values())} for code in codes]


def score_bands(day: date) -> list[dict]:
    scores = with_score(agencies_listed(), day).values_list("score", flat=True)
    counts: dict[str, int] = defaultdict(int)
    for score in scores:
        counts[score_band(score)] += 1
    bands = settings.AGENCY_SCORE_BANDS
    return [{"code": code, "label": SCORE_BAND_LABELS.get(code, code), "low": low,
             "high": settings.AGENCY_SCORE_FULL if i == 0 else bands[i - 1][1] - 1, "count": counts[code]}
            for i, (code, low) in enumerate(bands)]


def work_report(day: date) -> dict:
    """The numbers a county work report quotes: intermediaries displayed, named in notices, cards in half a year."""
    since = add_months(day, -6)
    recent = (Card.objects.filter(issued_on__gt=since, issued_on__lte=day, revoked_at__isnull=True)
              .values("colour").annotate(n=Count("pk")))
    by_colour = {row["colour"]: row["n"] for row in recent}
    return {
        "displayed": agencies_listed().count(),
        "named_in_notices": Card.objects.exclude(notice_file="").filter(revoked_at__isnull=True)
        .values("agency").distinct().count(),
        "since": since,
        "cards": {c.value: by_colour.get(c.value, 0) for c in COLOURS},
        "cards_total": sum(by_colour.values()),
    }


def years_with_cards() -> list[int]:
    return sorted({d.year for d in Card.objects.dates("issued_on", "year")}, reverse=True)
