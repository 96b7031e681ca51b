"""Tender documents (versions) and clarifications (澄清)."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from bidding.lifecycle import EDITABLE
from bidding.models import Clarification, Tender, TenderDocument
from bidding.models import TenderStatus as S
from bidding.permissions import is_operator
from bidding.rules import clarification_period, fmt
from core import clock
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, PermissionDenied
from witness.services import event_record

ALLOWED_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".7z", ".rar", ".dwg", ".ofd", ".txt",
                      ".gef", ".zjs"}


def _store(*, actor: Actor, tender: Tender, upload: UploadedFile, title: str, note: str) -> TenderDocument:
    name = os.path.basename(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise DomainError(_("Files of type “%(ext)s” are not accepted; upload %(allowed)s.")
                          % {"ext": ext or "?", "allowed": ", ".join(sorted(ALLOWED_EXTENSIONS))}, field="file")
    if upload.size == 0:
        raise DomainError(_("The file is empty."), field="file")
    if upload.size > settings.TENDER_DOCUMENT_MAX_BYTES:
        raise DomainError(_("The file is %(size)d MB; the limit is %(limit)d MB.")
                          % {"size": upload.size // 2**20, "limit": settings.TENDER_DOCUMENT_MAX_BYTES // 2**20},
                          field="file")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    version = (tender.documents.aggregate(v=Max("version"))["v"] or 0) + 1
    document = TenderDocument(tender=tender, version=version, title=(title or "").strip()[:200] or name[:200],
                              original_name=name[:255], size=upload.size, sha256=digest.hexdigest(),
                              note=(note or "").strip()[:300], uploaded_by=actor.user)
    document.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            document.save()
            event_record(actor=actor, action="document.uploaded", subject=document, tender_id=tender.pk,
                         data={"version": version, "title": document.title, "file": name, "size": upload.size,
                               "sha256": document.sha256})
    except Exception:
        # Nothing refers to the stored file if the rows were not written.
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def tender_document_upload(*, actor: Actor, tender: Tender, upload: UploadedFile, title: str = "",
                           note: str = "") -> TenderDocument:
    """A new version of the tender documents, while the tender is still a draft or returned."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if not is_operator(actor, tender):
        raise PermissionDenied(_("Only the organisation running this tender can upload its documents."))
    if tender.status not in EDITABLE:
        raise IllegalTransition(_("Tender “%(title)s” is %(status)s: after filing, the documents change only through a "
                            "published clarification.") % {"title": tender.title,
                                                            "status": tender.get_status_display()})
    return _store(actor=actor, tender=tender, upload=upload, title=title, note=note)


@transaction.atomic
def clarification_publish(
    *, actor: Actor, tender: Tender, title: str, body: str, upload: UploadedFile | None = None,
    new_deadline: datetime | None = None,
) -> Clarification:
    """Publish a clarification to everyone who can see the tender.

    One that comes too close to the deadline must move it (招标投标法 art. 23: at least
    15 days before the deadline; settings.CLARIFICATION_MIN_BEFORE_DEADLINE)."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if not is_operator(actor, tender):
        raise PermissionDenied(_("Only the organisation running this tender can publish clarifications."))
    now = clock.now()
    if tender.status != S.PUBLISHED or now >= tender.bid_deadline:
        raise IllegalTransition(_("Clarifications can be published only while the tender is open for bids (deadline "
                            "%(deadline)s, server time %(now)s).") % {"deadline": fmt(tender.bid_deadline),
                                                                      "now": fmt(now)})
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Enter the clarification's title.")]
    if not body:
        errors["body"] = [_("Enter the clarification's text.")]
    period = clarification_period(tender.method)
    earliest = period.after(now)
    deadline = tender.bid_deadline
    if new_deadline is not None:
        if new_deadline.tzinfo is None:
            errors["new_deadline"] = [_("Enter a date and time.")]
        elif new_deadline <= tender.bid_deadline:
            errors["new_deadline"] = [_("A new deadline must be later than the present one (%(d)s).")
                                      % {"d": fmt(tender.bid_deadline)}]
        elif tender.evaluation_planned_at and new_deadline > tender.evaluation_planned_at:
            errors["new_deadline"] = [_("The new deadline falls after the planned evaluation (%(e)s); move the "
                                        "evaluation first.") % {"e": fmt(tender.evaluation_planned_at)}]
        else:
            deadline = new_deadline
    if deadline < earliest and "new_deadline" not in errors:
        errors["new_deadline"] = [_(
            "This clarification comes less than %(period)s before the bid deadline (%(deadline)s), so the deadline "
            "must move to %(earliest)s or later.") % {"period": period.describe(), "deadline": fmt(deadline),
                                                      "earliest": fmt(earliest)}]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)
    document = _store(actor=actor, tender=tender, upload=upload, title=title, note=_("Clarification")) if upload else None
    number = (tender.clarifications.aggregate(n=Max("number"))["n"] or 0) + 1
    clarification = Clarification.objects.create(
        tender=tender, number=number, title=title[:200], body=body, document=document,
        previous_deadline=tender.bid_deadline if deadline != tender.bid_deadline else None,
        new_deadline=deadline if deadline != tender.bid_deadline else None,
        published_by=actor.user, published_at=now,
    )
    if deadline != tender.bid_deadline:
        tender.bid_deadline = deadline
        tender.save(update_fields=["bid_deadline", "updated_at"])
    event_record(actor=actor, action="clarification.published", subject=clarification, tender_id=tender.pk,
                 data={"number": number, "title": clarification.title,
                       "document": document.pk if document else None,
                       "previous_deadline": clarification.previous_deadline,
                       "new_deadline": clarification.new_deadline})
    return clarification
