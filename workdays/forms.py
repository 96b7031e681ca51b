"""Parsing for the calendar page; the rules live in workdays.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


FIRST_YEAR, LAST_YEAR = 1990, 2100


class MonthForm(forms.Form):
    """?year=&month= of the month shown; anything unreadable falls back to the current month."""

    year = forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    month = forms.IntegerField(min_value=1, max_value=12)


class AmendForm(forms.Form):
    KINDS = [("working", _("Working day")), ("rest", _("Rest day"))]

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("The day becomes"), choices=KINDS, widget=forms.RadioSelect,
                             initial="working")
    note = forms.CharField(label=_("Note"), max_length=200,
                           help_text=_("Why the day is amended, for example the State Council notice."))

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(_("Choose a date between %(first)d and %(last)d.")
                                        % {"first": FIRST_YEAR, "last": LAST_YEAR})
        return day


class RemoveAmendmentForm(forms.Form):
    day = forms.DateField()
