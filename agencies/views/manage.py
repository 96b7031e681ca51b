"""The intermediary's own directory entry (the trading centre may correct it): profile, qualifications, staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from agencies.forms import CertificateForm, ProfileForm, QualificationForm, StaffForm, errors_to_form
from agencies.models import AgencyProfile, StaffMember
from agencies.permissions import may_edit_profile
from agencies.selectors import agency_for_page
from agencies.services import (
    CertificateInput,
    ProfileInput,
    certificate_add,
    profile_save,
    qualification_add,
    staff_add,
    staff_leave,
)
from core.errors import DomainError, NotFound, PermissionDenied


@login_required
def own_profile(request):
    actor = request.actor
    if actor.role != "agency" or actor.organisation is None:
        raise Forbidden(_("Only an intermediary keeps a directory entry."))
    return redirect("agencies:agency_manage", pk=actor.organisation_id)


def _run(form, call) -> bool:
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except DomainError as exc:
        errors_to_form(form, exc.fields)
        return False
    return True


@login_required
def agency_manage(request, pk: int):
    actor = request.actor
    try:
        agency = agency_for_page(pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not may_edit_profile(actor, agency.pk):
        raise Forbidden(_("Only the intermediary itself or the trading centre can change its directory entry."))
    profile = AgencyProfile.objects.filter(organisation=agency).first()
    forms = {
        "profile_form": ProfileForm(initial={
            "service_kinds": profile.service_kinds if profile else [],
            "registered_capital": profile.registered_capital if profile else None,
            "offices": profile.offices if profile else "", "introduction": profile.introduction if profile else ""}),
        "qualification_form": QualificationForm(), "staff_form": StaffForm(), "certificate_form": CertificateForm(),
    }
    if request.method == "POST":
        which = request.POST.get("form")
        ok = False
        try:
            if which == "profile":
                form = forms["profile_form"] = ProfileForm(request.POST)
                ok = _run(form, lambda d: profile_save(actor=actor, agency=agency, data=ProfileInput(
                    service_kinds=d.get("service_kinds") or [], registered_capital=d.get("registered_capital"),
                    offices=d.get("offices") or "", introduction=d.get("introduction") or "")))
            elif which == "qualification":
                form = forms["qualification_form"] = QualificationForm(request.POST)
                ok = _run(form, lambda d: qualification_add(
                    actor=actor, agency=agency, name=d.get("name") or "", number=d.get("number") or "",
                    grade=d.get("grade") or "", issuer=d.get("issuer") or "", expires_on=d.get("expires_on")))
            elif which == "staff":
                form = forms["staff_form"] = StaffForm(request.POST)
                ok = _run(form, lambda d: staff_add(
                    actor=actor, agency=agency, name=d.get("name") or "", id_number=d.get("id_number") or "",
                    role=d.get("role") or "", title=d.get("title") or "",
                    certificates=[CertificateInput(d["certificate_name"], d.get("certificate_number") or "",
                                                   d.get("certificate_expires_on"))]
                    if d.get("certificate_name") else []))
            elif which in ("certificate", "leave"):
                staff = StaffMember.objects.filter(pk=request.POST.get("staff"), agency=agency).first()
                if staff is None:
                    raise Http404(_("No such staff member."))
                if which == "leave":
                    staff_leave(actor=actor, staff=staff)
                    ok = True
                else:
                    form = forms["certificate_form"] = CertificateForm(request.POST)
                    ok = _run(form, lambda d: certificate_add(actor=actor, staff=staff, name=d.get("name") or "",
                                                              number=d.get("number") or "",
                                                              expires_on=d.get("expires_on")))
        except PermissionDenied as exc:
            raise Forbidden(str(exc)) from exc
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("agencies:agency_manage", pk=agency.pk)
        if ok:
            messages.success(request, _("Saved."))
            return redirect("agencies:agency_manage", pk=agency.pk)
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    staff = StaffMember.objects.filter(agency=agency, is_active=True).prefetch_related("certificates")
    return render(request, "agencies/agency_manage.html", {
        "agency": agency, "staff": staff, "qualifications": agency.agency_qualifications.all(), **forms,
    }, status=400 if request.method == "POST" else 200)
