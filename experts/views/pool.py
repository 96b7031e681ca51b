"""Pool pages: applying, the centre's review queue, bulk import, the specialty tree, the expert's own page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound
from experts import notify, selectors
from experts.forms import ApplicationForm, DeclarationForm, DeclineForm, ImportForm, ReviewForm, SpecialtyForm
from experts.models import ExpertApplication, SelectionState
from experts.services.importing import COLUMNS, experts_import
from experts.services.pool import ExpertInput, application_review, expert_apply, specialty_create
from experts.services.responses import (
    bidder_list,
    conflict_declare,
    draw_advance,
    invitation_confirm,
    invitation_decline,
)


def _centre(request):
    actor = request.actor
    if actor.role != "centre" or actor.organisation is None or not actor.organisation.is_approved:
        raise Forbidden(_("Only the trading centre keeps the expert pool."))
    return actor


def _errors_to_form(form, exc: DomainError) -> None:
    for key, texts in exc.fields.items():
        for text in texts:
            form.add_error(key if key in form.fields else None, text)


@login_required
def apply(request):
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = ExpertInput(name=d["name"], id_number=d["id_number"], phone=d["phone"],
                           employer_name=d["employer_name"], employer_credit_code=d["employer_credit_code"],
                           region=d["region"], title=d["title"], career_start_year=d["career_start_year"],
                           specialty_ids=d["specialty_ids"], statement=d["statement"])
        try:
            expert_apply(actor=request.actor, data=data, evidence=d["evidence"])
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Application sent: the trading centre will review it."))
            return redirect("experts:my_page")
    return render(request, "experts/apply.html", {"form": form})


@login_required
def application_queue(request):
    _centre(request)
    return render(request, "experts/application_queue.html", {"applications": selectors.applications_pending(),
                                                              "form": ReviewForm()})


@login_required
@require_POST
def application_review_view(request, pk: int):
    actor = _centre(request)
    application = ExpertApplication.objects.filter(pk=pk).first()
    if application is None:
        raise Http404(_("No such application."))
    form = ReviewForm(request.POST)
    form.is_valid()
    decision = request.POST.get("decision")
    if decision not in {"approve", "reject"}:
        messages.error(request, _("Choose whether to approve or reject the application."))
        return redirect("experts:application_queue")
    try:
        application_review(actor=actor, application=application, approve=decision == "approve",
                           note=form.cleaned_data.get("note", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Application of %(name)s: %(status)s.")
                         % {"name": application.name, "status": application.get_status_display()})
    return redirect("experts:application_queue")


@login_required
def import_view(request):
    actor = _centre(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = experts_import(actor=actor, name=upload.name, content=upload.read(),
                                    import_valid=form.cleaned_data["import_valid"])
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            if report.imported:
                messages.success(request, _("%(n)d experts imported.") % {"n": report.imported})
            else:
                messages.error(request, _("Nothing was imported: the file has rows with errors. Correct them, or "
                                          "tick “import the valid rows”."))
    return render(request, "experts/import.html", {"form": form, "report": report, "columns": COLUMNS})


@login_required
def specialties(request):
    actor = request.actor
    is_centre = actor.role == "centre"
    form = SpecialtyForm(request.POST or None) if is_centre else None
    if request.method == "POST":
        _centre(request)
        if form.is_valid():
            d = form.cleaned_data
            try:
                specialty_create(actor=actor, code=d["code"], name=d["name"], parent_id=d["parent"], branch=d["branch"])
            except DomainError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Specialty added."))
                return redirect("experts:specialties")
    return render(request, "experts/specialties.html", {"tree": selectors.specialty_tree(), "form": form})


@login_required
def my_page(request):
    expert = selectors.expert_of(request.user)
    invitations = []
    if expert is not None:
        for selection in selectors.invitations_for(expert):
            if selection.state == SelectionState.NOTIFIED:
                draw_advance(selection.draw)
        invitations = list(selectors.invitations_for(expert))
        for selection in invitations:
            selection.bidders = bidder_list(selection.draw) if selection.state == SelectionState.CONFIRMED else []
    inbox = list(selectors.messages_for(request.user))
    notify.mark_read(request.user)
    return render(request, "experts/my_page.html", {
        "expert": expert, "invitations": invitations, "inbox": inbox, "decline_form": DeclineForm(),
        "declaration_form": DeclarationForm(),
        "applications": ExpertApplication.objects.filter(user=request.user).order_by("-created_at")})


@login_required
@require_POST
def invitation_answer(request, pk: int, answer: str):
    try:
        selection = selectors.invitation_for_expert(user=request.user, selection_id=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    actor = request.actor
    from experts.services.responses import expert_actor

    actor = expert_actor(selection, ip=actor.ip)
    try:
        if answer == "confirm":
            invitation_confirm(actor=actor, selection=selection)
            messages.success(request, _("Thank you: you are on the committee."))
        elif answer == "decline":
            form = DeclineForm(request.POST)
            form.is_valid()
            invitation_decline(actor=actor, selection=selection, reason=form.cleaned_data.get("reason", ""))
            messages.success(request, _("You declined; the next expert in the ranking is called."))
        else:
            raise Http404(_("Unknown answer."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("experts:my_page")


@login_required
@require_POST
def conflict_declare_view(request, pk: int):
    try:
        selection = selectors.invitation_for_expert(user=request.user, selection_id=pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    from experts.services.responses import expert_actor

    form = DeclarationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you have a conflict."))
        return redirect("experts:my_page")
    try:
        conflict_declare(actor=expert_actor(selection, ip=request.actor.ip), selection=selection,
                         has_conflict=form.cleaned_data["has_conflict"], note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Declaration recorded."))
    return redirect("experts:my_page")
