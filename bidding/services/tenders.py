"""Creating, filing, reviewing and cancelling tenders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from bidding import agency_checks as hooks
from bidding.lifecycle import EDITABLE, tender_transition
from bidding.models import CATEGORY_CODES, Category, Lot, Method, Tender
from bidding.models import TenderStatus as S
from bidding.permissions import TenderAction, is_operator, tender_can
from bidding.rules import bid_period, fmt
from core import clock
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, PermissionDenied
from witness.services import event_record


@dataclass
class LotInput:
    name: str
    budget: Decimal
    ceiling_price: Decimal
    description: str = ""


@dataclass
class TenderInput:
    title: str
    category: str
    method: str
    budget: Decimal
    publish_at: datetime
    clarification_deadline: datetime
    bid_deadline: datetime
    lots: list[LotInput] = field(default_factory=list)
    tenderer_id: int | None = None
    agency_id: int | None = None
    region: str = ""
    description: str = ""
    decryption_window_minutes: int | None = None
    evaluation_planned_at: datetime | None = None
    agency_confirmed: bool = False  # the tenderer saw the agency's card (hooks.CONFIRM) and still chooses it


class Errors:
    """Collects field errors so the user sees every problem at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise DomainError(first, fields=self.fields)


def _money(value, errors: Errors, name: str, label: str) -> Decimal | None:
    try:
        amount = Decimal(str(value))
        amount.quantize(Decimal("0.01"))
    except (ArithmeticError, ValueError, TypeError):
        errors.add(name, _("%(label)s must be an amount in 元, such as 1250000.00.") % {"label": label})
        return None
    if not amount.is_finite():
        errors.add(name, _("%(label)s must be an amount in 元, such as 1250000.00.") % {"label": label})
        return None
    if amount <= 0:
        errors.add(name, _("%(label)s must be more than zero.") % {"label": label})
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors.add(name, _("%(label)s has more than two decimals; amounts are in 元 to the 分.") % {"label": label})
        return None
    if amount >= Decimal("1e14"):
        errors.add(name, _("%(label)s is too large.") % {"label": label})
        return None
    return amount


def _validate_timeline(data: TenderInput, errors: Errors, *, publication: datetime | None = None) -> None:
    missing = False
    for name in ("publish_at", "clarification_deadline", "bid_deadline", "evaluation_planned_at"):
        value = getattr(data, name)
        if value is None and name == "evaluation_planned_at":
            continue
        if value is None or value.tzinfo is None:
            errors.add(name, _("Enter a date and time."))
            missing = True
        elif not 2000 <= value.year <= 2999:
            errors.add(name, _("Enter a real date: %(year)d is out of range.") % {"year": value.year})
            missing = True
    if missing:
        return
    start = max(data.publish_at, publication) if publication else data.publish_at
    if data.bid_deadline <= data.publish_at:
        errors.add("bid_deadline", _("The bid deadline (%(deadline)s) must come after publication (%(pub)s).")
                   % {"deadline": fmt(data.bid_deadline), "pub": fmt(data.publish_at)})
    elif data.method in Method.values:
        period = bid_period(data.method)
        earliest = period.after(start)
        if data.bid_deadline < earliest:
            errors.add("bid_deadline", _(
                "The bid deadline leaves too little time for bids: %(method)s needs at least %(period)s from "
                "publication (%(pub)s), so the deadline can be no earlier than %(earliest)s.")
                % {"method": Method(data.method).label,
                   "period": period.describe(), "pub": fmt(start), "earliest": fmt(earliest)})
    if not (data.publish_at <= data.clarification_deadline <= data.bid_deadline):
        errors.add("clarification_deadline", _(
            "The clarification deadline must fall between publication and the bid deadline."))
    if data.evaluation_planned_at is not None and data.evaluation_planned_at < data.bid_deadline:
        errors.add("evaluation_planned_at", _("Evaluation cannot be planned before the bids are opened."))
    low, high = settings.DECRYPTION_WINDOW_MINUTES_RANGE
    window = data.decryption_window_minutes
    if window is not None and not (low <= window <= high):
        errors.add("decryption_window_minutes", _("The decryption window must be between %(low)d and %(high)d "
                                                  "minutes.") % {"low": low, "high": high})


def _organisation(org_id, kind: str, errors: Errors, name: str, label: str) -> Organisation | None:
    org = Organisation.objects.filter(pk=org_id).first() if org_id else None
    if org is None or org.kind != kind:
        errors.add(name, _("Choose a registered %(label)s.") % {"label": label})
        return None
    if not org.is_approved:
        errors.add(name, _("“%(org)s” has not been approved by the trading centre.") % {"org": org.name})
        return None
    return org


def _check_agency(actor: Actor, agency: Organisation | None, confirmed: bool, errors: Errors) -> None:
    """What the agency directory says about the agency (bidding.hooks): a red card refuses it, a yellow card
    needs the tenderer's explicit confirmation."""
    notes = hooks.notes_for(agency)
    refused = hooks.refusal(notes)
    if refused:
        errors.add("agency_id", refused)
        return
    warning = hooks.confirmation(notes)
    if warning and actor.role == "tenderer" and not confirmed:
        errors.add("agency_confirmed", _("%(warning)s Confirm that you still choose this agency.")
                   % {"warning": warning})


def _clean(actor: Actor, data: TenderInput) -> tuple[dict, list[LotInput]]:
    errors = Errors()
    if actor.role not in {"agency", "tenderer"} or actor.organisation is None:
        raise PermissionDenied(_("Only an agency or a tenderer can create tenders."))
    if not actor.organisation.is_approved:
        raise PermissionDenied(_("“%(org)s” has not been approved by the trading centre yet.")
                               % {"org": actor.organisation.name})
    title = (data.title or "").strip()
    if not title:
        errors.add("title", _("Enter the tender's title."))
    elif len(title) > 200:
        errors.add("title", _("The title is limited to 200 characters."))
    if data.category not in Category.values:
        errors.add("category", _("Choose a category."))
    if data.method not in Method.values:
        errors.add("method", _("Choose a procurement method."))
    if actor.role == "agency":
        tenderer = _organisation(data.tenderer_id, "tenderer", errors, "tenderer_id", _("tenderer"))
        agency = actor.organisation
    else:
        tenderer = actor.organisation
        agency = (_organisation(data.agency_id, "agency", errors, "agency_id", _("agency"))
                  if data.agency_id else None)
    _check_agency(actor, agency, data.agency_confirmed, errors)
    budget = _money(data.budget, errors, "budget", _("The budget"))
    if not data.lots:
        errors.add("lots", _("A tender needs at least one lot (标段/包)."))
    lot_total = Decimal(0)
    for index, lot in enumerate(data.lots, start=1):
        prefix = f"lots.{index}"
        if not (lot.name or "").strip():
            errors.add(f"{prefix}.name", _("Lot %(n)d needs a name.") % {"n": index})
        lot_budget = _money(lot.budget, errors, f"{prefix}.budget", _("Lot %(n)d's budget") % {"n": index})
        ceiling = _money(lot.ceiling_price, errors, f"{prefix}.ceiling_price",
                         _("Lot %(n)d's ceiling price") % {"n": index})
        if lot_budget is not None:
            lot_total += lot_budget
            if ceiling is not None and ceiling > lot_budget:
                errors.add(f"{prefix}.ceiling_price", _(
                    "Lot %(n)d's ceiling price (最高投标限价) cannot exceed its budget.") % {"n": index})
    if budget is not None and data.lots and lot_total > budget:
        errors.add("budget", _("The lots' budgets add up to %(total)s 元, more than the tender's budget of "
                               "%(budget)s 元.") % {"total": f"{lot_total:,.2f}", "budget": f"{budget:,.2f}"})
    _validate_timeline(data, errors)
    errors.raise_if_any()
    fields = dict(
        title=title, category=data.category, method=data.method, tenderer=tenderer, agency=agency,
        region=(data.region or settings.PLATFORM_REGION).strip()[:100], budget=budget,
        description=(data.description or "").strip(), publish_at=data.publish_at,
        clarification_deadline=data.clarification_deadline, bid_deadline=data.bid_deadline,
        decryption_window_minutes=data.decryption_window_minutes or settings.DECRYPTION_WINDOW_MINUTES_DEFAULT,
        evaluation_planned_at=data.evaluation_planned_at,
    )
    return fields, data.lots


def _write_lots(tender: Tender, lots: list[LotInput]) -> None:
    tender.lots.all().delete()
    Lot.objects.bulk_create([
        Lot(tender=tender, number=i, name=lot.name.strip()[:200], budget=Decimal(str(lot.budget)),
            ceiling_price=Decimal(str(lot.ceiling_price)), description=(lot.description or "").strip())
        for i, lot in enumerate(lots, start=1)
    ])


def _summary(tender: Tender) -> dict:
    return {
        "title": tender.title, "category": tender.category, "method": tender.method, "budget": tender.budget,
        "tenderer": tender.tenderer_id, "agency": tender.agency_id, "publish_at": tender.publish_at,
        "bid_deadline": tender.bid_deadline, "clarification_deadline": tender.clarification_deadline,
        "decryption_window_minutes": tender.decryption_window_minutes,
        "lots": [{"number": lot.number, "name": lot.name, "budget": lot.budget, "ceiling_price": lot.ceiling_price}
                 for lot in tender.lots.all()],
    }


@transaction.atomic
def tender_create(*, actor: Actor, data: TenderInput) -> Tender:
    fields, lots = _clean(actor, data)
    tender = Tender.objects.create(created_by=actor.user, **fields)
    tender.reference = f"{CATEGORY_CODES[tender.category]}-{clock.now():%Y}-{tender.pk:05d}"
    tender.save(update_fields=["reference"])
    _write_lots(tender, lots)
    event_record(actor=actor, action="tender.created", subject=tender, tender_id=tender.pk, data=_summary(tender))
    return tender


@transaction.atomic
def tender_update(*, actor: Actor, tender: Tender, data: TenderInput) -> Tender:
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if not tender_can(actor, tender, TenderAction.EDIT):
        if is_operator(actor, tender) and tender.status not in EDITABLE:
            raise IllegalTransition(_("Tender “%(title)s” is %(status)s; only a draft or a returned tender can be edited.")
                              % {"title": tender.title, "status": tender.get_status_display()})
        raise PermissionDenied(_("Only the organisation running this tender can edit it."))
    if actor.role == "agency":
        data.tenderer_id = data.tenderer_id or tender.tenderer_id
    fields, lots = _clean(actor, data)
    for name, value in fields.items():
        setattr(tender, name, value)
    tender.save(update_fields=[*fields, "updated_at"])
    _write_lots(tender, lots)
    event_record(actor=actor, action="tender.updated", subject=tender, tender_id=tender.pk, data=_summary(tender))
    return tender


def _as_input(tender: Tender) -> TenderInput:
    return TenderInput(
        title=tender.title, category=tender.category, method=tender.method, budget=tender.budget,
        publish_at=tender.publish_at, clarification_deadline=tender.clarification_deadline,
        bid_deadline=tender.bid_deadline, decryption_window_minutes=tender.decryption_window_minutes,
        evaluation_planned_at=tender.evaluation_planned_at,
        lots=[LotInput(lot.name, lot.budget, lot.ceiling_price) for lot in tender.lots.all()],
    )


@transaction.atomic
def tender_submit(*, actor: Actor, tender: Tender) -> Tender:
    """The agency files the tender with the trading centre (审核备案)."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if not is_operator(actor, tender):
        raise PermissionDenied(_("Only the organisation running this tender can submit it for filing."))
    errors = Errors()
    now = clock.now()
    _validate_timeline(_as_input(tender), errors, publication=now)
    if not tender.lots.exists():
        errors.add("lots", _("A tender needs at least one lot (标段/包)."))
    if not tender.documents.exists():
        errors.add("documents", _("Upload the tender documents (招标文件) before submitting for filing."))
    refused = hooks.refusal(hooks.notes_for(tender.agency))
    if refused:
        errors.add("agency_id", refused)
    errors.raise_if_any()
    return tender_transition(actor=actor, tender=tender, to=S.SUBMITTED, changes={"submitted_at": now})


@transaction.atomic
def tender_review(*, actor: Actor, tender: Tender, approve: bool, note: str = "") -> Tender:
    """The trading centre approves a filed tender (it is published) or returns it with reasons."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if actor.role != "centre" or actor.organisation is None or not actor.organisation.is_approved:
        raise PermissionDenied(_("Only the trading centre reviews filings."))
    note = (note or "").strip()
    if not approve:
        if not note:
            raise DomainError(_("Give the reasons for returning the tender: the agency sees them."), field="note")
        return tender_transition(actor=actor, tender=tender, to=S.RETURNED, changes={"review_note": note},
                                 data={"note": note})
    now = clock.now()
    errors = Errors()
    _validate_timeline(_as_input(tender), errors, publication=now)
    if errors.fields:
        raise DomainError(_("It can no longer be published as filed: %(reason)s Return it so the agency can move "
                            "the dates.") % {"reason": next(iter(errors.fields.values()))[0]}, fields=errors.fields)
    published_at = max(now, tender.publish_at)
    return tender_transition(actor=actor, tender=tender, to=S.PUBLISHED,
                             changes={"published_at": published_at, "review_note": note},
                             data={"published_at": published_at, "note": note})


@transaction.atomic
def tender_cancel(*, actor: Actor, tender: Tender, reason: str) -> Tender:
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if not tender_can(actor, tender, TenderAction.CANCEL):
        raise PermissionDenied(_("You cannot cancel this tender in its present state (%(status)s).")
                               % {"status": tender.get_status_display()})
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for cancelling: it is published with the notice."), field="reason")
    return tender_transition(actor=actor, tender=tender, to=S.CANCELLED, changes={"cancel_reason": reason},
                             data={"reason": reason})
