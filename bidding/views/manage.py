"""The agency's (or tenderer's) own work: create and edit tenders, "my tenders", the centre's filing queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bidding import agency_checks
from bidding.forms import LotFormSet, TenderForm, initial_for, tender_input
from bidding.permissions import TenderAction
from bidding.selectors import next_step, tenders_awaiting_review, tenders_for_organisation
from bidding.services import tender_create, tender_update
from bidding.views.public import get_tender
from core import clock
from core.errors import DomainError, PermissionDenied

LOT_PREFIX = "lots"


def _may_create(actor) -> bool:
    return actor.role in {"agency", "tenderer"} and actor.organisation is not None and actor.organisation.is_approved


def _apply_service_errors(error: DomainError, form: TenderForm, lots: LotFormSet, filled: list) -> list[str]:
    """Put each of the service's messages next to its input. Returns messages that belong to the lots as a whole.

    Lot keys look like "lots.2.ceiling_price": the service numbers the filled rows from 1."""
    lot_errors: list[str] = []
    for key, texts in error.fields.items():
        parts = key.split(".")
        for text in texts:
            if parts[0] == "lots" and len(parts) == 3 and parts[1].isdigit() and 0 < int(parts[1]) <= len(filled):
                lot_form = filled[int(parts[1]) - 1]
                lot_form.add_error(parts[2] if parts[2] in lot_form.fields else None, text)
            elif key == "lots":
                lot_errors.append(text)
            else:
                form.add_service_error(key, text)
    return lot_errors


def _tender_form_page(request, *, tender=None):
    actor = request.actor
    if request.method == "POST":
        form = TenderForm(request.POST, actor=actor)
        lots = LotFormSet(request.POST, prefix=LOT_PREFIX)
    else:
        initial, lot_initial = initial_for(tender) if tender else ({}, [{}])
        form = TenderForm(initial=initial, actor=actor)
        lots = LotFormSet(initial=lot_initial, prefix=LOT_PREFIX)
    lot_errors: list[str] = []
    if request.method == "POST":
        parsed = form.is_valid() & lots.is_valid()
        if parsed:
            filled = lots.filled()
            data = tender_input(form, filled)
            try:
                if tender is None:
                    saved = tender_create(actor=actor, data=data)
                    messages.success(request, _("Draft tender %(ref)s saved. Upload the tender documents, then submit "
                                                "it for filing.") % {"ref": saved.reference})
                else:
                    saved = tender_update(actor=actor, tender=tender, data=data)
                    messages.success(request, _("Changes to %(ref)s saved.") % {"ref": saved.reference})
                return redirect("bidding:tender_detail", pk=saved.pk)
            except PermissionDenied as exc:
                raise Forbidden(str(exc)) from exc
            except DomainError as exc:
                lot_errors = _apply_service_errors(exc, form, lots, filled)
        messages.error(request, _("The tender was not saved: correct the fields marked below."))
    return render(request, "bidding/tender_form.html", {
        "form": form, "lots": lots, "lot_errors": lot_errors, "tender": tender,
        "lot_total": lots.total_form_count() if lots.is_bound else len(lots.initial or []),
    })


@login_required
def tender_create_view(request):
    if not _may_create(request.actor):
        raise Forbidden(_("Only an approved agency or tenderer can create tenders."))
    return _tender_form_page(request)


@login_required
def tender_edit_view(request, pk: int):
    try:
        tender = get_tender(request, pk, TenderAction.EDIT)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("bidding:tender_detail", pk=pk)
    return _tender_form_page(request, tender=tender)


@login_required
def tender_mine(request):
    actor = request.actor
    now = clock.now()
    page = Paginator(tenders_for_organisation(actor), 20).get_page(request.GET.get("page"))
    rows = [(tender, next_step(tender, now)) for tender in page]
    return render(request, "bidding/tender_mine.html", {
        "page": page, "rows": rows, "may_create": _may_create(actor), "now": now,
    })


@login_required
def filing_queue(request):
    """The trading centre's queue of tenders filed for review (审核备案)."""
    actor = request.actor
    if actor.role != "centre" or actor.organisation is None or not actor.organisation.is_approved:
        raise Forbidden(_("Only the trading centre reviews filings."))
    page = Paginator(tenders_awaiting_review(), 20).get_page(request.GET.get("page"))
    notes = agency_checks.agency_notes(tender.agency_id for tender in page)
    for tender in page:
        tender.agency_notes = notes.get(tender.agency_id, [])
        tender.closer_review = agency_checks.closer_review(tender.agency_notes)
    return render(request, "bidding/filing_queue.html", {"page": page})
