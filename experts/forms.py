"""Forms only parse; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from experts.models import Branch, Specialty, Title

BUCKET_ROWS = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


def specialty_choices():
    return [("", "—")] + [(s.pk, f"{s.code} {s.name}") for s in Specialty.objects.filter(is_active=True).order_by("code")]


class ApplicationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    id_number = forms.CharField(label=_("National ID number"), max_length=18)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    employer_name = forms.CharField(label=_("Employer"), max_length=200)
    employer_credit_code = forms.CharField(label=_("Employer's credit code"), max_length=18, required=False)
    region = forms.CharField(label=_("Region (province/city/county)"), max_length=100)
    title = forms.ChoiceField(label=_("Professional title"), choices=Title.choices)
    career_start_year = forms.IntegerField(label=_("In the field since (year)"))
    specialty_ids = forms.TypedMultipleChoiceField(label=_("Specialties"), coerce=int, choices=[])
    statement = forms.CharField(label=_("Experience"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence = MultipleFileField(label=_("Evidence (title certificate, proof of experience)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty_ids"].choices = specialty_choices()[1:]


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Reasons / note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel (.xlsx) file"))
    import_valid = forms.BooleanField(label=_("Import the valid rows even if some rows have errors"), required=False)


class SpecialtyForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.TypedChoiceField(label=_("Parent"), coerce=int, required=False, empty_value=None, choices=[])
    branch = forms.ChoiceField(label=_("Branch"), choices=Branch.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = specialty_choices()


class DrawRequestForm(forms.Form):
    evaluation_at = forms.DateTimeField(label=_("Evaluation date and time"),
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    evaluation_place = forms.CharField(label=_("Evaluation place"), max_length=200, required=False)
    remote = forms.BooleanField(label=_("Remote off-site evaluation (远程异地评标)"), required=False)
    allowed_regions = forms.CharField(label=_("Regions to draw from (one per line, for remote evaluation)"),
                                      widget=forms.Textarea(attrs={"rows": 2}), required=False)
    committee_size = forms.IntegerField(label=_("Committee size (experts + tenderer's representatives)"), min_value=1,
                                        max_value=99)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = specialty_choices()
        for i in range(1, BUCKET_ROWS + 1):
            self.fields[f"specialty_{i}"] = forms.TypedChoiceField(label=_("Specialty"), choices=choices, coerce=int,
                                                                   required=False, empty_value=None)
            self.fields[f"count_{i}"] = forms.IntegerField(label=_("Experts"), required=False, min_value=0,
                                                           max_value=50)

    def bucket_rows(self):
        return [(self[f"specialty_{i}"], self[f"count_{i}"]) for i in range(1, BUCKET_ROWS + 1)]


class RatingForm(forms.Form):
    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(label=_("Declaration"), coerce=lambda v: v == "yes",
                                          choices=[("no", _("I have no conflict with any bidder")),
                                                   ("yes", _("I have a conflict"))], widget=forms.RadioSelect)
    note = forms.CharField(label=_("Which bidder, and how"), max_length=300, required=False)


class PoolSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=100, required=False)
    specialty = forms.TypedChoiceField(label=_("Specialty"), coerce=int, required=False, empty_value=None, choices=[])
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        from experts.models import Expert

        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = specialty_choices()
        self.fields["status"].choices = [("", "—"), *Expert.Status.choices]


DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class PenaltyForm(forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_WIDGET, required=False)
    authority = forms.CharField(label=_("Authority"), max_length=200, required=False)
    description = forms.CharField(label=_("Reason"), max_length=300, required=False)


class LeaveForm(forms.Form):
    starts_on = forms.DateField(label=_("From"), widget=DATE_WIDGET, required=False)
    ends_on = forms.DateField(label=_("To"), widget=DATE_WIDGET, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[])
    until = forms.DateField(label=_("Suspended until"), widget=DATE_WIDGET, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        from experts.models import Expert

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = Expert.Status.choices


class RelationshipForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    organisation_name = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("Its unified social credit code (if known)"), max_length=18,
                                  required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from experts.models import Relationship

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Relationship.Kind.choices


class WithdrawForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE_WIDGET, required=False)
