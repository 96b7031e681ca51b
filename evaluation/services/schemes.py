"""The lot's evaluation scheme: set by the operator from the tender documents before the bid deadline, frozen
from the opening on (the bids were written against it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from bidding.models import Lot
from bidding.models import TenderStatus as S
from bidding.permissions import is_operator
from core import clock
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from evaluation import scoring
from evaluation.models import Criterion, CriterionKind, Method, ProcurementKind, Requirement, RequirementKind, Scheme, \
    ScoredBy, TieRule
from witness.services import event_record

EDITABLE = {S.DRAFT, S.RETURNED, S.SUBMITTED, S.PUBLISHED}


@dataclass
class CriterionInput:
    name: str
    max_points: Decimal | str
    kind: str
    scored_by: str = ScoredBy.ALL


@dataclass
class RequirementInput:
    name: str
    kind: str = RequirementKind.COMPLIANCE


@dataclass
class SchemeInput:
    method: str
    procurement_kind: str
    price_formula: str = ""
    formula_params: dict = field(default_factory=dict)
    tie_rule: str = TieRule.LOTTERY
    requirements: list[RequirementInput] = field(default_factory=list)
    criteria: list[CriterionInput] = field(default_factory=list)


def _decimal(value, field_name: str, errors: dict) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(field_name, []).append(_("Give a number of points, e.g. 30 or 12.5."))
        return None
    if not d.is_finite() or d <= 0 or d != d.quantize(Decimal("0.01")):
        errors.setdefault(field_name, []).append(_("Points are positive with at most two decimals."))
        return None
    return d


def _validate(lot: Lot, data: SchemeInput) -> tuple[dict[str, list[str]], list[Decimal | None]]:
    errors: dict[str, list[str]] = {}
    if data.method not in Method.values:
        errors["method"] = [_("Choose comprehensive scoring or lowest evaluated price.")]
    if data.procurement_kind not in ProcurementKind.values:
        errors["procurement_kind"] = [_("Choose goods, services or works.")]
    if data.tie_rule not in TieRule.values:
        errors["tie_rule"] = [_("Choose how ties are broken.")]
    if not data.requirements:
        errors["requirements"] = [_("List at least one compliance or qualification requirement.")]
    for n, r in enumerate(data.requirements):
        if not r.name.strip() or r.kind not in RequirementKind.values:
            errors.setdefault(f"requirements.{n}", []).append(_("Each requirement needs a name and a kind."))
    maxima = []
    for n, c in enumerate(data.criteria):
        if not c.name.strip():
            errors.setdefault(f"criteria.{n}.name", []).append(_("Each criterion needs a name."))
        if c.kind not in CriterionKind.values:
            errors.setdefault(f"criteria.{n}.kind", []).append(_("A criterion is price, objective or subjective."))
        if c.scored_by not in ScoredBy.values:
            errors.setdefault(f"criteria.{n}.scored_by", []).append(_("Say which members score it."))
        maxima.append(_decimal(c.max_points, f"criteria.{n}.max_points", errors))
    if not errors:
        problems = scoring.scheme_errors(
            category=lot.tender.category, method=data.method, procurement_kind=data.procurement_kind,
            criteria=[scoring.CriterionSpec(name=c.name, max_points=m, kind=c.kind)
                      for c, m in zip(data.criteria, maxima)],
            formula=data.price_formula, params=data.formula_params, procurement_method=lot.tender.method)
        if problems:
            errors["criteria"] = problems
    return errors, maxima


def scheme_set(*, actor: Actor, lot_id: int, data: SchemeInput) -> Scheme:
    lot = Lot.objects.select_related("tender").filter(pk=lot_id).first()
    if lot is None:
        raise NotFound(_("No such lot."))
    tender = lot.tender
    if not is_operator(actor, tender):
        raise PermissionDenied(_("Only the agency running the tender sets its evaluation scheme."))
    now = clock.now()
    if tender.status not in EDITABLE or now >= tender.bid_deadline:
        raise IllegalTransition(_("The evaluation scheme is frozen from the bid deadline (the opening) on; it can no "
                                  "longer be changed."), code="frozen")
    errors, maxima = _validate(lot, data)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic():
        scheme, _created = Scheme.objects.update_or_create(lot=lot, defaults=dict(
            method=data.method, procurement_kind=data.procurement_kind, price_formula=data.price_formula,
            formula_params=data.formula_params, tie_rule=data.tie_rule, updated_by=actor.user, updated_at=now))
        scheme.requirements.all().delete()
        scheme.criteria.all().delete()
        Requirement.objects.bulk_create([Requirement(scheme=scheme, position=n, kind=r.kind, name=r.name.strip())
                                         for n, r in enumerate(data.requirements, start=1)])
        Criterion.objects.bulk_create([Criterion(scheme=scheme, position=n, name=c.name.strip(), max_points=m,
                                                 kind=c.kind, scored_by=c.scored_by)
                                       for n, (c, m) in enumerate(zip(data.criteria, maxima), start=1)])
        event_record(actor=actor, action="evaluation.scheme_set", subject=scheme, tender_id=tender.pk, data={
            "lot": lot.pk, "method": data.method, "procurement_kind": data.procurement_kind,
            "price_formula": data.price_formula, "formula_params": data.formula_params, "tie_rule": data.tie_rule,
            "requirements": [r.name for r in data.requirements],
            "criteria": [[c.name, str(m), c.kind, c.scored_by] for c, m in zip(data.criteria, maxima)]})
    return scheme
