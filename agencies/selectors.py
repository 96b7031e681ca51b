"""Reads for the directory: scores and cards on a given day, the public list, one intermediary's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from agencies.models import Card, Certificate, Finding, StaffMember
from agencies.models import FindingStatus as FS
from agencies.permissions import FindingAction, finding_can, is_overseer
from agencies.rules import COMPLAINT_TYPE
from bidding.models import Tender
from bidding.models import TenderStatus as TS
from core import clock
from core.actor import Actor
from core.errors import NotFound, PermissionDenied
from witness.models import Event

SORTS = {
    "name": ("name",),
    "score": ("score", "name"),
    "-score": ("-score", "name"),
    "staff": ("-staff_count", "name"),
    "tenders": ("-tender_count", "name"),
}
OPEN_TENDER_STATES = [TS.DRAFT, TS.SUBMITTED, TS.RETURNED, TS.PUBLISHED, TS.OPENING, TS.OPENED, TS.EVALUATING,
                      TS.EVALUATED, TS.PUBLICITY]


def today() -> date:
    return timezone.localdate(clock.now())


def cards_in_force(day: date) -> QuerySet[Card]:
    """Cards shown publicly on `day`: not revoked, issued, not yet expired."""
    return Card.objects.filter(revoked_at__isnull=True, issued_on__lte=day, expires_on__gt=day)


def _deductions(day: date) -> Subquery:
    """Points deducted on `day`: cards counting from the day after their decision until they expire (T1)."""
    return Subquery(
        Card.objects.filter(agency=OuterRef("pk"), revoked_at__isnull=True, effective_on__lte=day, expires_on__gt=day)
        .order_by().values("agency").annotate(total=Sum("deduction")).values("total"),
        output_field=IntegerField())


def _count(queryset: QuerySet, field: str = "agency") -> Subquery:
    return Subquery(queryset.order_by().values(field).annotate(n=Count("pk")).values("n"), output_field=IntegerField())


def with_score(queryset: QuerySet[Organisation], day: date) -> QuerySet[Organisation]:
    return queryset.annotate(score=Greatest(Value(0), Value(settings.AGENCY_SCORE_FULL) - Coalesce(
        _deductions(day), Value(0)), output_field=IntegerField()))


def agencies_listed() -> QuerySet[Organisation]:
    """The intermediaries the directory shows: approved organisations of kind agency."""
    return Organisation.objects.filter(kind=Organisation.Kind.AGENCY, status=Organisation.Status.APPROVED)


def directory(*, q: str = "", sort: str = "-score", service: str = "", colour: str = "",
              day: date | None = None) -> QuerySet[Organisation]:
    """The public list (晾晒): every intermediary with strength, staff, current cards and score.

    A fixed number of queries whatever the number of rows: the counts and the score are subqueries,
    the cards in force one prefetch."""
    day = day or today()
    qs = with_score(agencies_listed(), day).select_related("agency_profile").annotate(
        staff_count=Coalesce(_count(StaffMember.objects.filter(agency=OuterRef("pk"), is_active=True)), 0),
        tender_count=Coalesce(_count(Tender.objects.filter(agency=OuterRef("pk")).exclude(status=TS.DRAFT)), 0),
    ).prefetch_related(Prefetch("agency_cards", queryset=cards_in_force(day).order_by("-issued_on"),
                                to_attr="cards_now"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q)
                       | Q(agency_staff__name__icontains=q, agency_staff__is_active=True)).distinct()
    if service:
        qs = qs.filter(agency_profile__service_kinds__icontains=f'"{service}"')
    if colour:
        qs = qs.filter(pk__in=cards_in_force(day).filter(colour=colour).values("agency_id"))
    return qs.order_by(*SORTS.get(sort, SORTS["-score"]), "pk")


def score_of(agency_id: int, day: date | None = None) -> int:
    day = day or today()
    row = with_score(Organisation.objects.filter(pk=agency_id), day).values_list("score", flat=True).first()
    return settings.AGENCY_SCORE_FULL if row is None else row


def agency_for_page(agency_id: int) -> Organisation:
    agency = agencies_listed().select_related("agency_profile").filter(pk=agency_id).first()
    if agency is None:
        raise NotFound(_("No such intermediary in the directory."))
    return agency


def shared_certificate_numbers(numbers: list[str]) -> set[str]:
    """Certificate numbers held by current staff of more than one intermediary (flagged on the page)."""
    rows = (Certificate.objects.filter(number__in=numbers, staff__is_active=True).values("number")
            .annotate(n=Count("staff__agency", distinct=True)).filter(n__gt=1).values_list("number", flat=True))
    return set(rows)


@dataclass
class HandledTender:
    tender: Tender
    returned: int
    failed: bool


def tenders_handled(agency: Organisation) -> list[HandledTender]:
    """Projects it ran on the platform, with their outcomes: filings returned (from the ledger), failed."""
    tenders = list(Tender.objects.filter(agency=agency).exclude(status=TS.DRAFT).select_related("tenderer")
                   .order_by("-created_at"))
    returned = dict(Event.objects.filter(action="tender.returned", tender_id__in=[t.pk for t in tenders])
                    .values("tender_id").annotate(n=Count("pk")).values_list("tender_id", "n"))
    return [HandledTender(t, returned.get(t.pk, 0), t.status == TS.FAILED) for t in tenders]


def complaints_upheld(agency: Organisation) -> int:
    return Finding.objects.filter(agency=agency, violation_type=COMPLAINT_TYPE,
                                  status__in=[FS.CARDED, FS.APPEALED, FS.CONFIRMED]).count()


def agency_page(agency: Organisation, actor: Actor) -> dict:
    """Everything the intermediary's page shows; the internal history only to overseers and itself."""
    day = today()
    staff = list(StaffMember.objects.filter(agency=agency, is_active=True).prefetch_related("certificates"))
    numbers = [c.number for s in staff for c in s.certificates.all()]
    handled = tenders_handled(agency)
    internal = is_overseer(actor) or actor.organisation_id == agency.pk
    cards = list(Card.objects.filter(agency=agency).select_related("finding").order_by("-issued_at"))
    return {
        "agency": agency, "profile": getattr(agency, "agency_profile", None), "today": day,
        "score": score_of(agency.pk, day),
        "qualifications": list(agency.agency_qualifications.all()),
        "staff": staff, "shared_numbers": shared_certificate_numbers(numbers),
        "cards_now": [c for c in cards if c.in_force(day)],
        "history": cards if internal else [], "internal": internal,
        "notices": [c for c in cards if c.notice_file and c.revoked_at is None and (internal or c.in_force(day))],
        "handled": handled,
        "outcomes": {"tenders": len(handled), "returned": sum(h.returned for h in handled),
                     "failed": sum(1 for h in handled if h.failed), "complaints": complaints_upheld(agency)},
    }


def findings_for_actor(actor: Actor, *, status: str = "") -> QuerySet[Finding]:
    """Overseers see every finding; an intermediary its own; others none."""
    qs = Finding.objects.select_related("agency", "tender", "card").order_by("-recorded_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    if is_overseer(actor):
        return qs
    if actor.role == "agency" and actor.organisation is not None and actor.organisation.is_approved:
        return qs.filter(agency=actor.organisation)
    return qs.none()


def finding_for_actor(*, actor: Actor, finding_id: int) -> Finding:
    finding = Finding.objects.select_related("agency", "tender", "recorded_by", "recorded_for", "responded_by",
                                             "decided_by", "final_by").filter(pk=finding_id).first()
    if finding is None or not finding_can(actor, finding, FindingAction.VIEW, today()):
        raise NotFound(_("No such finding."))
    return finding


def card_for_notice(card_id: int) -> Card:
    """A published notice: public while its card is in force; after that only in the internal history."""
    card = Card.objects.select_related("agency").filter(pk=card_id).exclude(notice_file="").first()
    if card is None or card.revoked_at is not None:
        raise NotFound(_("No such notice."))
    return card


def notice_visible(card: Card, actor: Actor) -> bool:
    return card.in_force(today()) or is_overseer(actor) or actor.organisation_id == card.agency_id


def flagged_open_tenders(day: date | None = None) -> QuerySet[Tender]:
    """Open tenders run by an intermediary under a red card: flagged to the regulator."""
    red = cards_in_force(day or today()).filter(colour="red").values("agency_id")
    return (Tender.objects.filter(agency_id__in=red, status__in=OPEN_TENDER_STATES)
            .select_related("agency", "tenderer").order_by("agency__name", "-created_at"))


def require_overseer(actor: Actor) -> None:
    if not is_overseer(actor):
        raise PermissionDenied(_("Only the regulator and the trading centre see this page."))


def finding_counts() -> dict[str, int]:
    return dict(Finding.objects.values("status").annotate(n=Count("pk")).values_list("status", "n"))


