"""Forms for the tender pages. They only parse input; the rules live in bidding.services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from bidding import agency_checks
from bidding.models import Category, Method
from bidding.selectors import NoticeFilter, approved_organisations
from bidding.services import LotInput, TenderInput

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_INPUTS = [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def datetime_field(label, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    """A datetime-local input, read in the current time zone and made aware (Django does both)."""
    return forms.DateTimeField(label=label, required=required, help_text=help_text, widget=DateTimeLocalInput(),
                               input_formats=DATETIME_INPUTS)


def money_field(label, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, max_digits=20, decimal_places=6,
                              widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}))


# --- public notices -------------------------------------------------------------------

SORT_CHOICES = [
    ("published", _("Newest first")),
    ("deadline", _("Bid deadline, soonest first")),
    ("-budget", _("Budget, largest first")),
    ("budget", _("Budget, smallest first")),
]


class NoticeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Title, reference, tenderer, agency or lot")}))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *Category.choices])
    method = forms.ChoiceField(label=_("Method"), required=False, choices=[("", _("All methods")), *Method.choices])
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    date_from = forms.DateField(label=_("Published from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("Published to"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    open_only = forms.BooleanField(label=_("Open for bids only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def to_filter(self) -> NoticeFilter:
        """The filter to apply: the valid fields only (an unreadable date is reported and ignored)."""
        data = self.cleaned_data if self.is_bound else {}
        if self.is_bound and self.errors:
            data = {k: v for k, v in data.items() if k not in self.errors}
        return NoticeFilter(
            q=(data.get("q") or "").strip(), category=data.get("category") or "", method=data.get("method") or "",
            region=(data.get("region") or "").strip(), date_from=data.get("date_from"),
            date_to=data.get("date_to"), open_only=bool(data.get("open_only")),
            sort=data.get("sort") or "published",
        )


# --- create / edit ----------------------------------------------------------------------

# Service error keys that do not match a form field's name.
FIELD_ALIASES = {"tenderer_id": "tenderer", "agency_id": "agency"}


class TenderForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=300)
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("Choose a category")), *Category.choices])
    method = forms.ChoiceField(label=_("Procurement method"), required=False,
                               choices=[("", _("Choose a method")), *Method.choices])
    tenderer = forms.ModelChoiceField(label=_("Tenderer (招标人/采购人)"), required=False, queryset=Organisation.objects.none(),
                                      empty_label=_("Choose the tenderer"))
    agency = forms.ModelChoiceField(label=_("Agency (招标代理机构)"), required=False, queryset=Organisation.objects.none(),
                                    empty_label=_("None: we run it ourselves"))
    agency_confirmed = forms.BooleanField(label=_("I have seen the agency's card and still choose it"), required=False)
    region = forms.CharField(label=_("Region"), required=False, max_length=100,
                             help_text=_("Province/city/county, for example 浙江省/湖州市/安吉县."))
    budget = money_field(_("Budget (元)"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    publish_at = datetime_field(_("Publication time"), required=False,
                                help_text=_("The notice appears at this time once the centre has approved it."))
    clarification_deadline = datetime_field(_("Clarification deadline"), required=False)
    bid_deadline = datetime_field(_("Bid deadline (= opening time)"), required=False)
    decryption_window_minutes = forms.IntegerField(label=_("Decryption window (minutes)"), required=False,
                                                   min_value=0, max_value=10000)
    evaluation_planned_at = datetime_field(_("Planned evaluation time"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        low, high = settings.DECRYPTION_WINDOW_MINUTES_RANGE
        window = self.fields["decryption_window_minutes"]
        window.help_text = _("Between %(low)d and %(high)d minutes.") % {"low": low, "high": high}
        window.widget.attrs.update({"min": low, "max": high})
        if not self.is_bound:
            self.initial.setdefault("decryption_window_minutes", settings.DECRYPTION_WINDOW_MINUTES_DEFAULT)
            self.initial.setdefault("region", settings.PLATFORM_REGION)
        self.agency_notes = []
        if actor.role == "agency":
            self.fields["tenderer"].queryset = approved_organisations(Organisation.Kind.TENDERER)
            del self.fields["agency"]
            del self.fields["agency_confirmed"]
        else:
            self.fields["agency"].queryset = approved_organisations(Organisation.Kind.AGENCY)
            del self.fields["tenderer"]
            # What the agency directory says about each agency on offer (cards, bidding.agency_checks).
            ids = list(self.fields["agency"].queryset.values_list("pk", flat=True))
            notes = agency_checks.agency_notes(ids)
            self.agency_notes = [(note, pk) for pk in ids for note in notes.get(pk, [])]

    def add_service_error(self, key: str, message: str) -> None:
        name = FIELD_ALIASES.get(key, key)
        self.add_error(name if name in self.fields else None, message)


class LotForm(forms.Form):
    name = forms.CharField(label=_("Lot name"), required=False, max_length=300)
    budget = money_field(_("Budget (元)"))
    ceiling_price = money_field(_("Ceiling price (最高投标限价, 元)"))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) not in (None, "") for name in ("name", "budget", "ceiling_price", "description"))


class BaseLotFormSet(forms.BaseFormSet):
    def filled(self) -> list[LotForm]:
        """The lot rows the user filled in, in order (wholly empty rows are skipped)."""
        return [form for form in self.forms if not form.is_blank()]


LotFormSet = forms.formset_factory(LotForm, formset=BaseLotFormSet, extra=0, min_num=0, max_num=50,
                                   validate_max=True, absolute_max=100)


def tender_input(form: TenderForm, lots: list[LotForm]) -> TenderInput:
    """The service's input. A missing amount is passed as None: the service reports it as "enter an amount"."""
    data = form.cleaned_data
    tenderer = data.get("tenderer")
    agency = data.get("agency")
    return TenderInput(
        title=data.get("title") or "", category=data.get("category") or "", method=data.get("method") or "",
        budget=data.get("budget"),
        publish_at=data.get("publish_at"), clarification_deadline=data.get("clarification_deadline"),
        bid_deadline=data.get("bid_deadline"),
        lots=[LotInput(name=lot.cleaned_data.get("name") or "",
                       budget=lot.cleaned_data.get("budget"),
                       ceiling_price=lot.cleaned_data.get("ceiling_price"),
                       description=lot.cleaned_data.get("description") or "") for lot in lots],
        tenderer_id=tenderer.pk if tenderer else None, agency_id=agency.pk if agency else None,
        region=data.get("region") or "", description=data.get("description") or "",
        decryption_window_minutes=data.get("decryption_window_minutes"),
        evaluation_planned_at=data.get("evaluation_planned_at"),
        agency_confirmed=bool(data.get("agency_confirmed")),
    )


def initial_for(tender) -> tuple[dict, list[dict]]:
    """Initial values of the edit form for an existing tender."""
    data = {name: getattr(tender, name) for name in (
        "title", "category", "method", "region", "budget", "description", "publish_at", "clarification_deadline",
        "bid_deadline", "decryption_window_minutes", "evaluation_planned_at")}
    data["tenderer"] = tender.tenderer_id
    data["agency"] = tender.agency_id
    lots = [{"name": lot.name, "budget": lot.budget, "ceiling_price": lot.ceiling_price,
             "description": lot.description} for lot in tender.lots.all()]
    return data, lots


# --- actions on the detail page ------------------------------------------------------------

class DocumentUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), required=False)
    title = forms.CharField(label=_("Title"), required=False, max_length=200,
                            help_text=_("For example 招标文件 (正式版). Defaults to the file name."))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            raise forms.ValidationError(_("Choose the file to upload."))
        return upload


class ClarificationForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)
    new_deadline = datetime_field(_("New bid deadline (optional)"), required=False,
                                  help_text=_("Required when the clarification comes too close to the deadline."))


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("Review note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Required when returning: the organisation running the tender sees it."))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
