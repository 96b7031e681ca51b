"""Reads for tenders: public notices, fetch-and-authorise, the role-aware home lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from bidding.models import Category, Lot, Method, Tender, TenderDocument
from bidding.models import TenderStatus as S
from bidding.permissions import TenderAction, tender_can
from core import clock
from core.actor import Actor
from core.errors import NotFound, PermissionDenied

SORTS = {
    "published": "-published_at",
    "deadline": "bid_deadline",
    "-deadline": "-bid_deadline",
    "budget": "budget",
    "-budget": "-budget",
}


def _count_of(model, name: str = "tender") -> Coalesce:
    """A correlated COUNT subquery: unlike Count() over a join it is not multiplied by other joins or filters."""
    counted = (model.objects.filter(**{name: OuterRef("pk")}).order_by().values(name)
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _base() -> QuerySet[Tender]:
    return Tender.objects.select_related("tenderer", "agency").annotate(
        lot_count=_count_of(Lot), document_count=_count_of(TenderDocument))


def tenders_public() -> QuerySet[Tender]:
    return _base().filter(published_at__isnull=False, published_at__lte=clock.now())


@dataclass
class NoticeFilter:
    q: str = ""
    category: str = ""
    method: str = ""
    region: str = ""
    date_from: date | None = None
    date_to: date | None = None
    open_only: bool = False
    sort: str = "published"


def tenders_public_search(f: NoticeFilter) -> QuerySet[Tender]:
    qs = tenders_public()
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(reference__icontains=f.q) | Q(tenderer__name__icontains=f.q)
                       | Q(agency__name__icontains=f.q)
                       | Q(pk__in=Lot.objects.filter(name__icontains=f.q).values("tender")))
    if f.category in Category.values:
        qs = qs.filter(category=f.category)
    if f.method in Method.values:
        qs = qs.filter(method=f.method)
    if f.region:
        qs = qs.filter(region__icontains=f.region)
    tz = timezone.get_current_timezone()
    if f.date_from:
        qs = qs.filter(published_at__gte=datetime.combine(f.date_from, time.min, tz))
    if f.date_to:
        qs = qs.filter(published_at__lte=datetime.combine(f.date_to, time.max, tz))
    if f.open_only:
        qs = qs.filter(status=S.PUBLISHED, bid_deadline__gt=clock.now())
    return qs.order_by(SORTS.get(f.sort, "-published_at"), "-pk")


def tender_for_actor(*, actor: Actor, tender_id: int, action: TenderAction = TenderAction.VIEW) -> Tender:
    """Fetch a tender and check the actor may do `action` to it; 404 hides drafts from outsiders."""
    tender = _base().filter(pk=tender_id).first()
    if tender is None or not tender_can(actor, tender, TenderAction.VIEW):
        raise NotFound(_("No such tender, or it is not published yet."))
    if action != TenderAction.VIEW and not tender_can(actor, tender, action):
        raise PermissionDenied(_("You may not do this to tender “%(title)s” in its present state (%(status)s).")
                               % {"title": tender.title, "status": tender.get_status_display()})
    return tender


def tenders_for_organisation(actor: Actor) -> QuerySet[Tender]:
    """The tenders the actor's organisation runs or owns."""
    if actor.organisation is None:
        return Tender.objects.none()
    return _base().filter(Q(agency=actor.organisation) | Q(tenderer=actor.organisation)).order_by("-updated_at", "-pk")


def tenders_open_for_bids() -> QuerySet[Tender]:
    return tenders_public().filter(status=S.PUBLISHED, bid_deadline__gt=clock.now()).order_by("bid_deadline")


def tenders_awaiting_review() -> QuerySet[Tender]:
    return _base().filter(status=S.SUBMITTED).order_by("submitted_at")


def tenders_by_stage() -> list[tuple[str, str, int]]:
    counts = dict(Tender.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return [(value, label, counts.get(value, 0)) for value, label in S.choices]


def next_step(tender: Tender, now: datetime) -> str:
    """What the organisation running a tender should do next, in words."""
    if tender.status == S.DRAFT:
        has_documents = (tender.document_count > 0 if hasattr(tender, "document_count")
                         else tender.documents.exists())
        if not has_documents:
            return _("Upload the tender documents, then submit for filing.")
        return _("Submit for filing review.")
    if tender.status == S.RETURNED:
        return _("Returned by the trading centre: make the changes and submit again.")
    if tender.status == S.SUBMITTED:
        return _("Waiting for the trading centre's filing review.")
    if tender.status == S.PUBLISHED:
        if not tender.is_public(now):
            return _("Approved; the notice appears at %(t)s.") % {
                "t": timezone.localtime(tender.published_at).strftime("%Y-%m-%d %H:%M")}
        if now < tender.bid_deadline:
            return _("Open for bids until %(t)s.") % {
                "t": timezone.localtime(tender.bid_deadline).strftime("%Y-%m-%d %H:%M")}
        return _("The deadline has passed: open the bids.")
    return tender.get_status_display()


def approved_organisations(kind: str) -> QuerySet[Organisation]:
    """Organisations of a kind that the centre has approved: the choices on the tender form."""
    return Organisation.objects.filter(kind=kind, status=Organisation.Status.APPROVED).order_by("name")


def document_for_actor(*, actor: Actor, tender_id: int, document_id: int) -> TenderDocument:
    """A tender document, for someone who may see its tender (the file is as private as the tender)."""
    tender = tender_for_actor(actor=actor, tender_id=tender_id)
    document = TenderDocument.objects.filter(tender=tender, pk=document_id).first()
    if document is None:
        raise NotFound(_("No such document."))
    return document


def tender_page(tender: Tender) -> dict:
    """What the detail page shows besides the tender: lots, document versions, clarifications in order."""
    return {
        "lots": list(tender.lots.all()),
        "documents": list(tender.documents.select_related("uploaded_by").order_by("-version")),
        "clarifications": list(tender.clarifications.select_related("document").order_by("number")),
    }
