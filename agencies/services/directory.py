"""The intermediary keeps its directory entry: profile, qualifications, technical staff and their certificates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from agencies.models import AgencyProfile, Certificate, Qualification, ServiceKind, StaffMember
from agencies.permissions import may_edit_profile
from agencies.services.findings import Errors
from core import clock
from core.actor import Actor
from core.errors import DomainError, NotFound, PermissionDenied
from witness.services import event_record

ID_NUMBER = re.compile(r"^\d{17}[\dX]$")


def _require_editor(actor: Actor, agency: Organisation) -> None:
    if agency.kind != Organisation.Kind.AGENCY:
        raise NotFound(_("No such intermediary."))
    if not may_edit_profile(actor, agency.pk):
        raise PermissionDenied(_("Only “%(org)s” itself or the trading centre can change its directory entry.")
                               % {"org": agency.name})


@dataclass
class ProfileInput:
    service_kinds: list[str] = field(default_factory=list)
    registered_capital: Decimal | str | None = None
    offices: str = ""
    introduction: str = ""


@transaction.atomic
def profile_save(*, actor: Actor, agency: Organisation, data: ProfileInput) -> AgencyProfile:
    _require_editor(actor, agency)
    errors = Errors()
    kinds = [k for k in dict.fromkeys(data.service_kinds or []) if k]
    if not kinds:
        errors.add("service_kinds", _("Choose at least one kind of service."))
    elif any(k not in ServiceKind.values for k in kinds):
        errors.add("service_kinds", _("Choose kinds of service from the list."))
    capital = None
    if data.registered_capital not in (None, ""):
        try:
            capital = Decimal(str(data.registered_capital))
            if not capital.is_finite() or capital < 0 or capital >= Decimal("1e14") or capital != capital.quantize(
                    Decimal("0.01")):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.add("registered_capital", _("Registered capital must be an amount in 元, such as 5000000.00."))
    errors.raise_if_any()
    profile, created = AgencyProfile.objects.select_for_update().get_or_create(organisation=agency)
    profile.service_kinds = kinds
    profile.registered_capital = capital
    profile.offices = (data.offices or "").strip()
    profile.introduction = (data.introduction or "").strip()
    profile.save(update_fields=["service_kinds", "registered_capital", "offices", "introduction", "updated_at"])
    event_record(actor=actor, action="agency.profile_saved", subject=profile, data={
        "agency": agency.pk, "service_kinds": kinds, "registered_capital": capital, "offices": profile.offices})
    return profile


def _date_ok(value, errors: Errors, name: str) -> None:
    if value is not None and not isinstance(value, date):
        errors.add(name, _("Enter a date."))


@transaction.atomic
def qualification_add(*, actor: Actor, agency: Organisation, name: str, number: str, grade: str = "",
                      issuer: str = "", expires_on: date | None = None) -> Qualification:
    _require_editor(actor, agency)
    errors = Errors()
    if not (name or "").strip():
        errors.add("name", _("Name the qualification."))
    if not (number or "").strip():
        errors.add("number", _("Enter the certificate number."))
    _date_ok(expires_on, errors, "expires_on")
    errors.raise_if_any()
    qualification = Qualification.objects.create(
        agency=agency, name=name.strip()[:200], number=number.strip()[:100], grade=(grade or "").strip()[:50],
        issuer=(issuer or "").strip()[:200], expires_on=expires_on)
    event_record(actor=actor, action="agency.qualification_added", subject=qualification, data={
        "agency": agency.pk, "name": qualification.name, "number": qualification.number,
        "expires_on": expires_on})
    return qualification


@dataclass
class CertificateInput:
    name: str
    number: str
    expires_on: date | None = None


@transaction.atomic
def staff_add(*, actor: Actor, agency: Organisation, name: str, id_number: str, role: str, title: str = "",
              certificates: list[CertificateInput] | None = None) -> StaffMember:
    """Add a technical staff member. A person works for one intermediary at a time."""
    _require_editor(actor, agency)
    errors = Errors()
    id_number = (id_number or "").strip().upper()
    if not (name or "").strip():
        errors.add("name", _("Enter the person's name."))
    if not ID_NUMBER.match(id_number):
        errors.add("id_number", _("Enter the 18-character resident ID card number."))
    elif StaffMember.objects.filter(id_number=id_number, is_active=True).exists():
        other = StaffMember.objects.select_related("agency").filter(id_number=id_number, is_active=True).first()
        errors.add("id_number", _("This person is already registered as staff of “%(org)s”: a person works for one "
                                  "intermediary at a time. They must leave it first.") % {"org": other.agency.name})
    if role not in StaffMember.Role.values:
        errors.add("role", _("Choose the person's role."))
    for index, cert in enumerate(certificates or [], start=1):
        if not (cert.name or "").strip() or not (cert.number or "").strip():
            errors.add(f"certificates.{index}", _("Certificate %(n)d needs a name and a number.") % {"n": index})
    errors.raise_if_any()
    staff = StaffMember.objects.create(agency=agency, name=name.strip()[:100], id_number=id_number, role=role,
                                       title=(title or "").strip()[:100], joined_on=clock.now().date())
    certs = [Certificate.objects.create(staff=staff, name=c.name.strip()[:200], number=c.number.strip()[:100],
                                        expires_on=c.expires_on) for c in certificates or []]
    event_record(actor=actor, action="agency.staff_added", subject=staff, data={
        "agency": agency.pk, "name": staff.name, "role": role,
        "certificates": [{"name": c.name, "number": c.number, "expires_on": c.expires_on} for c in certs]})
    return staff


@transaction.atomic
def certificate_add(*, actor: Actor, staff: StaffMember, name: str, number: str,
                    expires_on: date | None = None) -> Certificate:
    staff = StaffMember.objects.select_for_update().select_related("agency").get(pk=staff.pk)
    _require_editor(actor, staff.agency)
    if not staff.is_active:
        raise DomainError(_("%(name)s has left; add certificates to current staff only.") % {"name": staff.name})
    errors = Errors()
    if not (name or "").strip():
        errors.add("name", _("Name the certificate."))
    if not (number or "").strip():
        errors.add("number", _("Enter the certificate number."))
    errors.raise_if_any()
    cert = Certificate.objects.create(staff=staff, name=name.strip()[:200], number=number.strip()[:100],
                                      expires_on=expires_on)
    event_record(actor=actor, action="agency.certificate_added", subject=cert, data={
        "agency": staff.agency_id, "staff": staff.pk, "name": cert.name, "number": cert.number,
        "expires_on": expires_on})
    return cert


@transaction.atomic
def staff_leave(*, actor: Actor, staff: StaffMember) -> StaffMember:
    staff = StaffMember.objects.select_for_update().select_related("agency").get(pk=staff.pk)
    _require_editor(actor, staff.agency)
    if not staff.is_active:
        raise DomainError(_("%(name)s has already left.") % {"name": staff.name})
    staff.is_active = False
    staff.left_on = clock.now().date()
    staff.save(update_fields=["is_active", "left_on"])
    event_record(actor=actor, action="agency.staff_left", subject=staff,
                 data={"agency": staff.agency_id, "name": staff.name})
    return staff
