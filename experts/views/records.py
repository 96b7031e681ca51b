"""The pool register for the centre and the regulator, each expert's record, and the centre's entries on it
(penalties, leave, suspension / retirement); evidence files are served only through evidence_download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, NotFound, PermissionDenied
from experts import selectors
from experts.forms import LeaveForm, PenaltyForm, PoolSearchForm, StatusForm
from experts.models import ApplicationEvidence
from experts.services.records import expert_status_set, leave_record, penalty_record
from experts.views.pool import _centre, _errors_to_form

PAGE_SIZE = 25


@login_required
@require_GET
def pool_list(request):
    if not selectors.may_see_pool(request.actor):
        raise Forbidden(_("Only the trading centre and the regulator see the expert pool."))
    form = PoolSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    experts = selectors.pool_search(q=filters.get("q") or "", specialty_id=filters.get("specialty"),
                                    region=filters.get("region") or "", status=filters.get("status") or "")
    page = Paginator(experts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "experts/pool_list.html", {"form": form, "page": page, "query": query.urlencode()})


def _expert(request, pk):
    try:
        return selectors.expert_for_actor(actor=request.actor, expert_id=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _record_page(request, expert, status=200, **forms):
    is_centre = request.actor.role == "centre"
    context = {"expert": expert, **selectors.expert_record(expert), "is_centre": is_centre}
    if is_centre:
        context.update({"penalty_form": forms.get("penalty_form") or PenaltyForm(prefix="penalty"),
                        "leave_form": forms.get("leave_form") or LeaveForm(prefix="leave"),
                        "status_form": forms.get("status_form") or StatusForm(
                            prefix="status", initial={"status": expert.status, "until": expert.suspended_until})})
    return render(request, "experts/expert_detail.html", context, status=status)


@login_required
@require_GET
def expert_detail(request, pk: int):
    return _record_page(request, _expert(request, pk))


def _centre_post(request, pk, form_class, prefix, write, done):
    actor = _centre(request)
    expert = _expert(request, pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            write(actor, expert, form.cleaned_data)
        except PermissionDenied as exc:
            raise Forbidden(str(exc)) from exc
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, done)
            return redirect("experts:expert_detail", pk=expert.pk)
    messages.error(request, _("Nothing was changed: correct the marked fields."))
    return _record_page(request, expert, status=400, **{f"{prefix}_form": form})


@login_required
@require_POST
def penalty_add(request, pk: int):
    return _centre_post(request, pk, PenaltyForm, "penalty", lambda actor, expert, d: penalty_record(
        actor=actor, expert=expert, decided_on=d["decided_on"], authority=d["authority"],
        description=d["description"]), _("Penalty recorded."))


@login_required
@require_POST
def leave_add(request, pk: int):
    return _centre_post(request, pk, LeaveForm, "leave", lambda actor, expert, d: leave_record(
        actor=actor, expert=expert, starts_on=d["starts_on"], ends_on=d["ends_on"], reason=d["reason"]),
        _("Leave recorded."))


@login_required
@require_POST
def status_set(request, pk: int):
    return _centre_post(request, pk, StatusForm, "status", lambda actor, expert, d: expert_status_set(
        actor=actor, expert=expert, status=d["status"], until=d["until"], reason=d["reason"]),
        _("Status changed."))


@login_required
@require_GET
def evidence_download(request, pk: int):
    _centre(request)
    evidence = ApplicationEvidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404(_("No such file."))
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)
