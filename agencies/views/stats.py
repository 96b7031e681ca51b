from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import render
from django.utils.translation import gettext as _

from agencies import stats
from agencies.models import Colour
from agencies.permissions import is_overseer
from agencies.selectors import today


@login_required
def statistics(request):
    if not is_overseer(request.actor):
        raise Forbidden(_("Only the regulator and the trading centre see the statistics."))
    day = today()
    years = stats.years_with_cards() or [day.year]
    try:
        year = int(request.GET.get("year", day.year))
    except ValueError:
        year = day.year
    if not 2000 <= year <= 2999:
        year = day.year
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    by_month = stats.cards_by_month(year)
    return render(request, "agencies/statistics.html", {
        "year": year, "years": years, "by_month": by_month, "by_type": stats.cards_by_type(year),
        "year_total": {c.value: sum(r[c.value] for r in by_month) for c in stats.COLOURS},
        "bands": stats.score_bands(day), "report": stats.work_report(day), "today": day, "colours": Colour,
    })
