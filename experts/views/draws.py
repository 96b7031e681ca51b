"""Draw pages: the agency's request for a lot, the draw (counts or names by role), ratings, verification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bidding.models import Lot
from core.errors import DomainError, NotFound, PermissionDenied
from experts import selectors
from experts.forms import BUCKET_ROWS, DrawRequestForm, RatingForm
from experts.models import Selection
from experts.permissions import DrawAction, draw_can
from experts.rules import minimum_committee
from experts.services.draws import BucketInput, DrawInput, draw_request, draw_run
from experts.services.ratings import rating_deadline, rating_record
from experts.services.responses import draw_advance
from experts.verify import draw_verify
from workdays.selectors import add_working_days


def _draw(request, pk, action=DrawAction.VIEW):
    try:
        return selectors.draw_for_actor(actor=request.actor, draw_id=pk, action=action)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except PermissionDenied as exc:
        raise Forbidden(str(exc)) from exc


@login_required
def draw_list(request):
    return render(request, "experts/draw_list.html", {"draws": selectors.draws_for_actor(request.actor),
                                                      "lots": selectors.lots_awaiting_draw(request.actor)})


@login_required
def draw_request_view(request, lot_id: int):
    lot = Lot.objects.select_related("tender").filter(pk=lot_id).first()
    if lot is None:
        raise Http404(_("No such lot."))
    actor = request.actor
    if actor.organisation_id != lot.tender.operator_id:
        raise Forbidden(_("Only the agency running this tender (or the tenderer, when it runs the tender itself) can "
                          "request an expert draw."))
    form = DrawRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = DrawInput(
            lot_id=lot.pk, evaluation_at=d["evaluation_at"], committee_size=d["committee_size"],
            evaluation_place=d["evaluation_place"], remote=d["remote"],
            allowed_regions=d["allowed_regions"].splitlines(),
            buckets=[BucketInput(d[f"specialty_{i}"], d[f"count_{i}"]) for i in range(1, BUCKET_ROWS + 1)
                     if d[f"specialty_{i}"] or d[f"count_{i}"]])
        try:
            draw = draw_request(actor=actor, data=data)
            draw = draw_run(actor=actor, draw=draw)
        except PermissionDenied as exc:
            raise Forbidden(str(exc)) from exc
        except DomainError as exc:
            for key, texts in exc.fields.items():
                for text in texts:
                    name = key.split(".")[0]
                    form.add_error(name if name in form.fields else None, text)
            messages.error(request, _("No draw was made: correct the marked fields and try again."))
        else:
            if draw.stop_reason:
                messages.error(request, draw.stop_reason)
            else:
                messages.success(request, _("Experts drawn and notified; the committee fills as they confirm."))
            return redirect("experts:draw_detail", pk=draw.pk)
    return render(request, "experts/draw_request.html", {
        "lot": lot, "tender": lot.tender, "form": form, "minimum": minimum_committee(lot.tender),
        "draws": selectors.draws_for_lot(lot.pk)})


@login_required
def draw_detail(request, pk: int):
    draw = _draw(request, pk)
    draw_advance(draw)
    actor = request.actor
    names = draw_can(actor, draw, DrawAction.VIEW_NAMES)
    rate = draw_can(actor, draw, DrawAction.RATE)
    context = {"draw": draw, "counts": selectors.draw_counts(draw), "names": names,
               "buckets": list(draw.buckets.select_related("specialty")),
               "may_verify": draw_can(actor, draw, DrawAction.VERIFY), "may_rate": rate}
    if names or rate:
        # The organiser rates by seat number; names appear only to those VIEW_NAMES allows.
        selections = list(selectors.draw_selections(draw).select_related("rating"))
        context["selections"] = selections
        if rate and draw.selections.exists():
            context["rating_due"] = add_working_days(draw.evaluation_at, 2)
    return render(request, "experts/draw_detail.html", context)


@login_required
@require_POST
def rate_view(request, pk: int, selection_id: int):
    draw = _draw(request, pk, DrawAction.RATE)
    selection = Selection.objects.select_related("draw").filter(pk=selection_id, draw=draw).first()
    if selection is None:
        raise Http404(_("No such seat."))
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A rating is a whole number from 0 to 100."))
    else:
        try:
            rating_record(actor=request.actor, selection=selection, score=form.cleaned_data["score"],
                          comment=form.cleaned_data["comment"])
            messages.success(request, _("Rating recorded for seat %(n)d.") % {"n": selection.sequence})
        except DomainError as exc:
            messages.error(request, str(exc))
    return redirect("experts:draw_detail", pk=draw.pk)


@login_required
def draw_verify_view(request, pk: int):
    draw = _draw(request, pk, DrawAction.VERIFY)
    report = draw_verify(draw)
    return render(request, "experts/draw_verify.html", {"draw": draw, "report": report,
                                                        "deadline": rating_deadline})
