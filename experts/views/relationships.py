"""The expert's own page of declared relationships (回避 data, RULES X6): declare one, withdraw one that ended."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from experts import selectors
from experts.forms import RelationshipForm, WithdrawForm
from experts.models import Relationship
from experts.services.records import relationship_declare, relationship_withdraw
from experts.views.pool import _errors_to_form


def _own_expert(request):
    expert = selectors.expert_of(request.user)
    if expert is None:
        raise Http404(_("You are not in the expert pool."))
    return expert


@login_required
def my_relationships(request):
    expert = _own_expert(request)
    form = RelationshipForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                relationship_declare(actor=request.actor, expert=expert, kind=d["kind"],
                                     organisation_name=d["organisation_name"], credit_code_value=d["credit_code"],
                                     note=d["note"])
            except DomainError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Relationship declared."))
                return redirect("experts:my_relationships")
        status = 400
    return render(request, "experts/my_relationships.html", {
        "expert": expert, "form": form, "withdraw_form": WithdrawForm(),
        "relationships": list(expert.relationships.order_by("ended_on", "-pk"))}, status=status)


@login_required
@require_POST
def relationship_withdraw_view(request, pk: int):
    expert = _own_expert(request)
    relationship = Relationship.objects.filter(pk=pk, expert=expert).first()
    if relationship is None:
        raise Http404(_("No such relationship."))
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date, or leave it empty for today."))
        return redirect("experts:my_relationships")
    try:
        relationship_withdraw(actor=request.actor, relationship=relationship, ended_on=form.cleaned_data["ended_on"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Relationship withdrawn; it still counts for recusal for the configured years."))
    return redirect("experts:my_relationships")
