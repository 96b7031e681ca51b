"""Findings: the overseers' queue, recording, and the due-process actions on a finding's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.forms import AppealDecisionForm, AppealForm, DecisionForm, FindingForm, ResponseForm, errors_to_form
from agencies.models import FindingStatus
from agencies.permissions import FindingAction, finding_can, is_overseer, may_record
from agencies.rules import violation_label, violation_type
from agencies.selectors import finding_counts, finding_for_actor, findings_for_actor, flagged_open_tenders, today
from agencies.services import (
    FindingInput,
    appeal_decide,
    finding_appeal,
    finding_decide,
    finding_record,
    finding_respond,
    findings_advance_overdue,
)
from core.errors import DomainError, NotFound, PermissionDenied


def _finding(request, pk: int):
    try:
        return finding_for_actor(actor=request.actor, finding_id=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def finding_list(request):
    actor = request.actor
    if not (is_overseer(actor) or actor.role == "agency"):
        raise Forbidden(_("Only the regulator, the trading centre and intermediaries see findings."))
    findings_advance_overdue(agency_id=None if is_overseer(actor) else actor.organisation_id)
    status = request.GET.get("status", "")
    status = status if status in FindingStatus.values else ""
    page = Paginator(findings_for_actor(actor, status=status), 25).get_page(request.GET.get("page"))
    for finding in page:
        finding.type_label = violation_label(finding.violation_type)
    return render(request, "agencies/finding_list.html", {
        "page": page, "status": status, "statuses": FindingStatus.choices, "today": today(),
        "may_record": may_record(actor), "counts": finding_counts() if is_overseer(actor) else {},
        "flagged": list(flagged_open_tenders()) if is_overseer(actor) else [],
    })


@login_required
def finding_create(request):
    actor = request.actor
    if not may_record(actor):
        raise Forbidden(_("Only the regulator or the trading centre records findings against intermediaries."))
    form = FindingForm(request.POST or None, request.FILES or None, initial={"agency": request.GET.get("agency")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finding = finding_record(actor=actor, data=FindingInput(
                agency_id=data["agency"].pk if data.get("agency") else None,
                violation_type=data.get("violation_type") or "", description=data.get("description") or "",
                tender_id=data["tender"].pk if data.get("tender") else None, evidence=data.get("evidence") or []))
        except DomainError as exc:
            errors_to_form(form, exc.fields)
        else:
            messages.success(request, _("Finding recorded; the intermediary is notified and may respond until "
                                        "%(due)s.") % {"due": finding.response_due})
            return redirect("agencies:finding_detail", pk=finding.pk)
    if request.method == "POST":
        messages.error(request, _("Nothing was recorded: correct the fields marked below."))
    return render(request, "agencies/finding_form.html", {"form": form})


def _detail_context(request, finding, **forms) -> dict:
    actor = request.actor
    day = today()
    vt = violation_type(finding.violation_type)
    can = {a.value: finding_can(actor, finding, a, day) for a in FindingAction}
    card = getattr(finding, "card", None) if finding.status in (
        FindingStatus.CARDED, FindingStatus.APPEALED, FindingStatus.CONFIRMED, FindingStatus.REVOKED) else None
    return {
        "finding": finding, "can": can, "today": day, "card": card, "type_label": violation_label(
            finding.violation_type), "evidence": list(finding.evidence.all()),
        "respond_form": forms.get("respond_form") or ResponseForm(),
        "decide_form": forms.get("decide_form") or DecisionForm(initial={
            "decision": "card", "colour": vt.colour if vt else "blue", "deduction": vt.deduction if vt else 0}),
        "appeal_form": forms.get("appeal_form") or AppealForm(),
        "final_form": forms.get("final_form") or AppealDecisionForm(),
        "response_open": finding.status == FindingStatus.NOTIFIED and day <= finding.response_due,
    }


@login_required
def finding_detail(request, pk: int):
    finding = _finding(request, pk)
    if finding.status == FindingStatus.NOTIFIED and today() > finding.response_due:
        findings_advance_overdue(agency_id=finding.agency_id)
        finding = _finding(request, pk)
    return render(request, "agencies/finding_detail.html", _detail_context(request, finding))


def _act(request, pk: int, form_class, form_name: str, run, done: str):
    finding = _finding(request, pk)
    form = form_class(request.POST)
    form.is_valid()
    try:
        run(finding, form.cleaned_data)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("agencies:finding_detail", pk=pk)
    except DomainError as exc:
        errors_to_form(form, exc.fields)
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": exc.message})
        return render(request, "agencies/finding_detail.html",
                      _detail_context(request, _finding(request, pk), **{form_name: form}), status=400)
    messages.success(request, done)
    return redirect("agencies:finding_detail", pk=pk)


@login_required
@require_POST
def finding_respond_view(request, pk: int):
    return _act(request, pk, ResponseForm, "respond_form", lambda f, d: finding_respond(
        actor=request.actor, finding=f, response=d.get("response") or ""), _("Your response was submitted."))


@login_required
@require_POST
def finding_decide_view(request, pk: int):
    def run(finding, data):
        if data.get("decision") not in ("card", "withdraw"):
            raise DomainError(_("Choose the decision: issue the card or withdraw the finding."), field="decision")
        return finding_decide(actor=request.actor, finding=finding, issue_card=data["decision"] == "card",
                              note=data.get("note") or "", colour=data.get("colour") or None,
                              deduction=data.get("deduction"))
    return _act(request, pk, DecisionForm, "decide_form", run, _("Decision recorded."))


@login_required
@require_POST
def finding_appeal_view(request, pk: int):
    return _act(request, pk, AppealForm, "appeal_form", lambda f, d: finding_appeal(
        actor=request.actor, finding=f, grounds=d.get("grounds") or ""), _("Your appeal was lodged."))


@login_required
@require_POST
def appeal_decide_view(request, pk: int):
    uphold = request.POST.get("outcome") == "uphold"
    return _act(request, pk, AppealDecisionForm, "final_form", lambda f, d: appeal_decide(
        actor=request.actor, finding=f, uphold=uphold, note=d.get("note") or ""), _("Final decision recorded."))


@login_required
def evidence_download(request, pk: int, evidence_id: int):
    finding = _finding(request, pk)
    item = finding.evidence.filter(pk=evidence_id).first()
    if item is None:
        raise Http404(_("No such file."))
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
