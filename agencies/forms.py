"""Forms for the directory and findings pages. They only parse; the rules live in agencies.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from agencies.models import Colour, ServiceKind, StaffMember
from agencies.rules import violation_types
from bidding.models import Tender

SORT_CHOICES = [
    ("-score", _("Score, highest first")),
    ("score", _("Score, lowest first")),
    ("name", _("Name")),
    ("staff", _("Most technical staff")),
    ("tenders", _("Most projects on the platform")),
]


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Name, credit code or staff name")}))
    service = forms.ChoiceField(label=_("Kind of service"), required=False,
                                choices=[("", _("All kinds")), *ServiceKind.choices])
    colour = forms.ChoiceField(label=_("Card in force"), required=False,
                               choices=[("", _("Any")), *Colour.choices])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def values(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"q": (data.get("q") or "").strip(), "service": data.get("service") or "",
                "colour": data.get("colour") or "", "sort": data.get("sort") or "-score"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class FindingForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Intermediary"), required=False, queryset=Organisation.objects.none(),
                                    empty_label=_("Choose the intermediary"))
    violation_type = forms.ChoiceField(label=_("Type of violation"), required=False)
    tender = forms.ModelChoiceField(label=_("Related tender (optional)"), required=False,
                                    queryset=Tender.objects.none(), empty_label=_("None"))
    description = forms.CharField(label=_("Facts found"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    evidence = MultipleFileField(label=_("Evidence (one or more files)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.AGENCY).exclude(status=Organisation.Status.PENDING).order_by("name")
        self.fields["tender"].queryset = Tender.objects.exclude(reference__isnull=True).order_by("-created_at")
        self.fields["violation_type"].choices = [("", _("Choose the type")), *[
            (t.code, f"{t.label} ({Colour(t.colour).label}, −{t.deduction})") for t in violation_types()]]


FIELD_ALIASES = {"agency_id": "agency", "tender_id": "tender"}


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("Statement of defence (陈述申辩)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 5}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), required=False, widget=forms.RadioSelect, choices=[
        ("card", _("Issue the card")), ("withdraw", _("Withdraw the finding"))], initial="card")
    colour = forms.ChoiceField(label=_("Card colour"), required=False, choices=Colour.choices)
    deduction = forms.IntegerField(label=_("Score deduction"), required=False, min_value=0, max_value=100)
    note = forms.CharField(label=_("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class AppealForm(forms.Form):
    grounds = forms.CharField(label=_("Grounds of appeal"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class AppealDecisionForm(forms.Form):
    note = forms.CharField(label=_("Reasons for the final decision"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))


class ProfileForm(forms.Form):
    service_kinds = forms.MultipleChoiceField(label=_("Kinds of service"), required=False,
                                              choices=ServiceKind.choices, widget=forms.CheckboxSelectMultiple)
    registered_capital = forms.DecimalField(label=_("Registered capital (元)"), required=False, max_digits=20,
                                            decimal_places=6)
    offices = forms.CharField(label=_("Offices"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    introduction = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class QualificationForm(forms.Form):
    name = forms.CharField(label=_("Qualification"), required=False, max_length=200)
    grade = forms.CharField(label=_("Grade"), required=False, max_length=50)
    number = forms.CharField(label=_("Certificate number"), required=False, max_length=100)
    issuer = forms.CharField(label=_("Issued by"), required=False, max_length=200)
    expires_on = forms.DateField(label=_("Valid until"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class StaffForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    id_number = forms.CharField(label=_("ID card number"), required=False, max_length=18)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=StaffMember.Role.choices)
    title = forms.CharField(label=_("Professional title"), required=False, max_length=100)
    certificate_name = forms.CharField(label=_("Certificate"), required=False, max_length=200)
    certificate_number = forms.CharField(label=_("Certificate number"), required=False, max_length=100)
    certificate_expires_on = forms.DateField(label=_("Certificate valid until"), required=False,
                                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class CertificateForm(forms.Form):
    staff = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Certificate"), required=False, max_length=200)
    number = forms.CharField(label=_("Certificate number"), required=False, max_length=100)
    expires_on = forms.DateField(label=_("Valid until"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def errors_to_form(form: forms.Form, fields: dict[str, list[str]]) -> None:
    for key, texts in fields.items():
        name = FIELD_ALIASES.get(key, key)
        for text in texts:
            form.add_error(name if name in form.fields else None, text)
