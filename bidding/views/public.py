"""Pages anyone may open: the notice list, a tender's page, its documents."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from bidding import agency_checks, hooks
from bidding.forms import CancelForm, ClarificationForm, DocumentUploadForm, NoticeFilterForm, ReviewForm
from bidding.models import Category, Method
from bidding.permissions import TenderAction, tender_can
from bidding.selectors import document_for_actor, tender_for_actor, tender_page, tenders_public_search
from core import clock
from core.errors import NotFound

NOTICES_PER_PAGE = 20


@require_GET
def notice_list(request):
    form = NoticeFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    filters = form.to_filter()
    page = Paginator(tenders_public_search(filters), NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "bidding/notice_list.html", {
        "form": form, "page": page, "filtered": any(v for k, v in request.GET.items() if k not in {"page", "sort"}),
        "now": clock.now(),
    })


def get_tender(request, pk: int, action: TenderAction = TenderAction.VIEW):
    """The tender, if the actor may see it; a 404 page otherwise (drafts stay hidden)."""
    try:
        return tender_for_actor(actor=request.actor, tender_id=pk, action=action)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def detail_context(request, tender, **forms) -> dict:
    actor = request.actor
    now = clock.now()
    can = {action.value: tender_can(actor, tender, action) for action in TenderAction}
    context = {
        "tender": tender, "can": can, "now": now, **tender_page(tender),
        "decryption_ends": tender.bid_deadline + timedelta(minutes=tender.decryption_window_minutes),
        "accepting_bids": tender.accepting_bids(now),
        "upload_form": forms.get("upload_form") or DocumentUploadForm(),
        "clarify_form": forms.get("clarify_form") or ClarificationForm(),
        "review_form": forms.get("review_form") or ReviewForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "open_panel": forms.get("open_panel", ""),
        "category_label": Category(tender.category).label if tender.category in Category.values else tender.category,
        "method_label": Method(tender.method).label if tender.method in Method.values else tender.method,
    }
    notes = agency_checks.notes_for(tender.agency)
    context["agency_notes"] = notes
    context["closer_review"] = agency_checks.closer_review(notes)
    for lot in context["lots"]:
        lot.extra_actions = hooks.lot_actions(actor, lot)
    if can[TenderAction.VIEW_LEDGER]:
        context["ledger_url"] = f"{reverse('witness:event_list')}?tender={tender.pk}"
    return context


@require_GET
def tender_detail(request, pk: int):
    tender = get_tender(request, pk)
    return render(request, "bidding/tender_detail.html", detail_context(request, tender))


@require_GET
def document_download(request, pk: int, document_id: int):
    """Stream a document to someone who may see its tender. Media is never served statically."""
    try:
        document = document_for_actor(actor=request.actor, tender_id=pk, document_id=document_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(str(exc)) from exc
    response = FileResponse(handle, as_attachment=True, filename=document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
