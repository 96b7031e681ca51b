"""The working-day calendar page: a month view for everyone signed in; amendments by the trading centre."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import add_domain_error
from core import clock
from core.errors import DomainError
from workdays import selectors, services
from workdays.forms import AmendForm, MonthForm, RemoveAmendmentForm


def _is_centre(actor) -> bool:
    return actor.role == "centre" and actor.organisation is not None and actor.organisation.is_approved


def _month_url(day: date) -> str:
    return f"{reverse('workdays:calendar')}?year={day.year}&month={day.month}"


def _shown_month(request) -> date:
    form = MonthForm(request.GET)
    if form.is_valid():
        return date(form.cleaned_data["year"], form.cleaned_data["month"], 1)
    return timezone.localdate(clock.now()).replace(day=1)


def _weeks(first: date, notes: dict[date, str]) -> list[list[dict | None]]:
    """The month as rows of seven cells, Monday first; None pads the first and last week."""
    today = timezone.localdate(clock.now())
    cells: list[dict | None] = [None] * first.weekday()
    for day, working, amended in selectors.month_days(first.year, first.month):
        cells.append({"date": day, "working": working, "amended": amended, "note": notes.get(day, ""),
                      "today": day == today, "weekend": day.weekday() >= 5})
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def _page(request, first: date, *, amend_form: AmendForm | None = None, status: int = 200):
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = last + timedelta(days=1)
    may_amend = _is_centre(request.actor)
    if amend_form is None and may_amend:
        initial_day = request.GET.get("day") or ""
        amend_form = AmendForm(initial={"day": initial_day} if initial_day else None)
    overrides = list(selectors.overrides_between(first, last))
    return render(request, "workdays/calendar.html", {
        "first": first,
        "weeks": _weeks(first, {o.day: o.note for o in overrides}),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "prev_url": _month_url(prev_month),
        "next_url": _month_url(next_month),
        "this_month_url": reverse("workdays:calendar"),
        "overrides": overrides,
        "may_amend": may_amend,
        "amend_form": amend_form,
    }, status=status)


@login_required
@require_GET
def calendar(request):
    return _page(request, _shown_month(request))


@login_required
@require_POST
def amend(request):
    form = AmendForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["day"]
        try:
            services.workday_override_set(actor=request.actor, day=day, note=form.cleaned_data["note"],
                                          is_working_day=form.cleaned_data["kind"] == "working")
        except DomainError as exc:
            if exc.status_code == 403:
                messages.error(request, exc.message)
                return redirect(_month_url(day))
            add_domain_error(form, exc)
        else:
            kind = _("a working day") if form.cleaned_data["kind"] == "working" else _("a rest day")
            messages.success(request, _("%(day)s is now %(kind)s.") % {"day": day.isoformat(), "kind": kind})
            return redirect(_month_url(day))
    elif not _is_centre(request.actor):
        messages.error(request, _("Only the trading centre amends the calendar."))
        return redirect("workdays:calendar")
    shown = form.cleaned_data.get("day")
    return _page(request, (shown or timezone.localdate(clock.now())).replace(day=1), amend_form=form)


@login_required
@require_POST
def amendment_remove(request):
    form = RemoveAmendmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the day whose amendment is removed."))
        return redirect("workdays:calendar")
    day = form.cleaned_data["day"]
    try:
        services.workday_override_remove(actor=request.actor, day=day)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The amendment of %(day)s is removed; the national calendar applies again.")
                         % {"day": day.isoformat()})
    return redirect(_month_url(day))
