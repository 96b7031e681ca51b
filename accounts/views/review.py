"""The trading centre's review queue: organisations awaiting review, tenders awaiting filing review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors, services
from accounts.forms import OrganisationReviewForm
from accounts.views.common import forbidden
from bidding.selectors import tenders_awaiting_review
from core.errors import DomainError


def is_centre(actor) -> bool:
    return actor.role == "centre" and actor.organisation is not None and actor.organisation.is_approved


@login_required
@require_GET
def review_queue(request):
    if not is_centre(request.actor):
        return forbidden(request, _("Only the trading centre reviews registrations and filings."))
    return render(request, "accounts/review_queue.html", {
        "organisations": selectors.organisations_pending_review(),
        "tenders": tenders_awaiting_review(),
    })


@login_required
@require_POST
def organisation_review(request, pk: int):
    if not is_centre(request.actor):
        return forbidden(request, _("Only the trading centre reviews registrations and filings."))
    form = OrganisationReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("accounts:review_queue")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        org = selectors.organisation_for_actor(actor=request.actor, organisation_id=pk)
        org = services.organisation_review(actor=request.actor, organisation=org, approve=approve,
                                           note=form.cleaned_data["note"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if approve:
            messages.success(request, _("“%(org)s” is approved.") % {"org": org.name})
        else:
            messages.success(request, _("“%(org)s” is rejected; the applicant sees your reason.") % {"org": org.name})
    return redirect("accounts:review_queue")
