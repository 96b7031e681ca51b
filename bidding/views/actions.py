"""The POST actions on a tender's page. Each parses its form, calls one service, and reports the outcome."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bidding.forms import CancelForm, ClarificationForm, DocumentUploadForm, ReviewForm
from bidding.permissions import TenderAction
from bidding.services import (
    clarification_publish,
    tender_cancel,
    tender_document_upload,
    tender_review,
    tender_submit,
)
from bidding.views.public import detail_context, get_tender
from core.errors import DomainError, PermissionDenied


class Refused(Exception):
    def __init__(self, response):
        self.response = response


def _tender(request, pk: int, action: TenderAction):
    """The tender, when the actor may do `action` to it now; otherwise a message and back to its page."""
    try:
        return get_tender(request, pk, action)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        raise Refused(redirect("bidding:tender_detail", pk=pk)) from exc


def _refusable(view):
    def wrapped(request, pk: int):
        try:
            return view(request, pk)
        except Refused as refused:
            return refused.response
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(require_POST(wrapped))


def _errors_to_form(form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    for key, texts in error.fields.items():
        name = (aliases or {}).get(key, key)
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def _again(request, tender, panel: str, **forms):
    """The tender's page again, with the refused form open, its values kept and its errors shown."""
    messages.error(request, _("Nothing was changed: correct the marked fields and try again."))
    return render(request, "bidding/tender_detail.html",
                  detail_context(request, tender, open_panel=panel, **forms))


@_refusable
def tender_upload(request, pk: int):
    tender = _tender(request, pk, TenderAction.EDIT)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = tender_document_upload(actor=request.actor, tender=tender, upload=form.cleaned_data["file"],
                                              title=form.cleaned_data["title"], note=form.cleaned_data["note"])
        except DomainError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Document version %(v)d uploaded (SHA-256 %(sha)s…).")
                             % {"v": document.version, "sha": document.sha256[:16]})
            return redirect("bidding:tender_detail", pk=tender.pk)
    return _again(request, tender, "upload", upload_form=form)


@_refusable
def tender_submit_view(request, pk: int):
    tender = _tender(request, pk, TenderAction.SUBMIT)
    try:
        tender_submit(actor=request.actor, tender=tender)
    except DomainError as exc:
        messages.error(request, _("The tender was not submitted."))
        for texts in exc.fields.values():
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(request, _("Submitted to the trading centre for filing review."))
    return redirect("bidding:tender_detail", pk=tender.pk)


@_refusable
def tender_review_view(request, pk: int):
    tender = _tender(request, pk, TenderAction.REVIEW)
    form = ReviewForm(request.POST)
    decision = request.POST.get("decision")
    if decision not in {"approve", "return"}:
        form.add_error(None, _("Choose whether to approve or return the filing."))
        return _again(request, tender, "review", review_form=form)
    form.is_valid()
    try:
        tender_review(actor=request.actor, tender=tender, approve=decision == "approve",
                      note=form.cleaned_data.get("note", ""))
    except DomainError as exc:
        _errors_to_form(form, exc)
        return _again(request, tender, "review", review_form=form)
    if decision == "approve":
        messages.success(request, _("Filing approved: the tender is published."))
    else:
        messages.success(request, _("Filing returned with your reasons."))
    return redirect("bidding:tender_detail", pk=tender.pk)


@_refusable
def tender_clarify(request, pk: int):
    tender = _tender(request, pk, TenderAction.CLARIFY)
    form = ClarificationForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            clarification = clarification_publish(
                actor=request.actor, tender=tender, title=data["title"], body=data["body"],
                upload=data.get("attachment"), new_deadline=data.get("new_deadline"))
        except DomainError as exc:
            _errors_to_form(form, exc, {"file": "attachment"})
        else:
            messages.success(request, _("Clarification no. %(n)d published.") % {"n": clarification.number})
            return redirect("bidding:tender_detail", pk=tender.pk)
    return _again(request, tender, "clarify", clarify_form=form)


@_refusable
def tender_cancel_view(request, pk: int):
    tender = _tender(request, pk, TenderAction.CANCEL)
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        tender_cancel(actor=request.actor, tender=tender, reason=form.cleaned_data.get("reason", ""))
    except DomainError as exc:
        _errors_to_form(form, exc)
        return _again(request, tender, "cancel", cancel_form=form)
    messages.success(request, _("The tender was cancelled."))
    return redirect("bidding:tender_detail", pk=tender.pk)
