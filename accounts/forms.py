"""Forms only parse input; the rules live in accounts.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, PublicKey
from accounts.services import SELF_REGISTERING_KINDS
from core.errors import DomainError


def add_domain_error(form: forms.Form, exc: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Put a service's messages next to the fields they name; anything else goes on top of the form."""
    field_map = field_map or {}
    for name, messages in exc.fields.items():
        target = field_map.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Organisation kind"),
        choices=[(k.value, k.label) for k in Organisation.Kind if k in SELF_REGISTERING_KINDS],
        initial=Organisation.Kind.BIDDER, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Registered name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=30,
        help_text=_("18 characters, as printed on the business licence."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}))
    region = forms.CharField(label=_("Region"), max_length=100, required=False,
                             help_text=_("Province/city/county, for example 浙江省/湖州市/安吉县."))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=30, required=False,
                                    widget=forms.TextInput(attrs={"type": "tel"}))
    username = forms.CharField(label=_("User name"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), help_text=_("Password resets and review results are sent here."))
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("At least 10 characters; not only digits, not a common password."))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    # Service field names that differ from this form's.
    FIELD_MAP = {"password": "password1", "credit_code_value": "credit_code"}

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ; type the same password twice."))
        return data


class MemberAddForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), help_text=_("A link to set the password is sent here."))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.STAFF)


class KeyRegisterForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PublicKey.Purpose.choices,
                                initial=PublicKey.Purpose.SEALING)
    label = forms.CharField(label=_("Label"), max_length=100,
                            help_text=_("For example “main key” or “backup key kept offline”."))
    public_key_pem = forms.CharField(
        label=_("Public key (PEM)"), max_length=20000,
        widget=forms.Textarea(attrs={"rows": 7, "class": "mono", "spellcheck": "false",
                                     "placeholder": "-----BEGIN PUBLIC KEY-----"}))


class KeyRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("lost, replaced, compromised …")}))


class OrganisationReviewForm(forms.Form):
    DECISIONS = [("approve", _("Approve")), ("reject", _("Reject"))]
    decision = forms.ChoiceField(choices=DECISIONS)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SwitchOrganisationForm(forms.Form):
    organisation = forms.IntegerField(min_value=1)
