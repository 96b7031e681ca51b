"""Who may be drawn for a lot (回避, RULES X6), computed as SQL over the whole pool.

One query reads the candidates (experts holding a bucket's specialty or one below it) with the reasons
found on their own row (status, age, employer, region) evaluated by the database; one UNION ALL query
returns the experts excluded by other tables (leave, penalties, bookings, frequency, relationships,
membership of a party). The counts of queries do not grow
with the pool (bench/expert_draw.py shows it). Python only takes set differences of the results."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import BooleanField, CharField, Count, ExpressionWrapper, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation
from experts.models import Expert, ExpertSpecialty, Leave, Penalty, Relationship, Selection, SelectionState, Specialty

REASONS = {
    "status": _("suspended or retired"),
    "age": _("over the age limit"),
    "leave": _("on leave that day"),
    "penalty": _("penalised within the configured years"),
    "party": _("employed by the tenderer, the agency or a bidder"),
    "relationship": _("declared a relationship with the tenderer, the agency or a bidder"),
    "booked": _("already booked for an evaluation that day"),
    "frequency": _("selected too often recently"),
    "region": _("outside the regions drawn from"),
}


@dataclass
class Criteria:
    day: date
    now: datetime
    party_ids: list[int]
    project_region: str = ""
    exclude_own_county: bool = True
    allowed_regions: list[str] = field(default_factory=list)
    penalty_years: int = 3
    relationship_years: int = 3
    max_selections: int = 4
    selection_window_days: int = 30
    max_age: int = 70
    exclude_draw_id: int | None = None


@dataclass
class Eligibility:
    candidates: dict[str, set[int]]  # bucket key -> every expert holding the specialty
    excluded: dict[int, set[str]]  # expert id -> reasons
    eligible: dict[str, list[int]] = field(default_factory=dict)

    def excluded_in(self, key: str) -> dict[str, list[int]]:
        candidates = self.candidates[key]
        out: dict[str, list[int]] = defaultdict(list)
        for expert_id, reasons in self.excluded.items():
            if expert_id in candidates:
                for reason in reasons:
                    out[reason].append(expert_id)
        return {reason: sorted(set(ids)) for reason, ids in sorted(out.items())}


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def subtrees(specialty_ids: list[int]) -> dict[int, set[int]]:
    """Each requested specialty with every specialty below it (one query for the small tree)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Specialty.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    out = {}
    for root in specialty_ids:
        seen, stack = set(), [root]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(children.get(node, []))
        out[root] = seen
    return out


def _excluded_query(c: Criteria, party_codes: list[str]):
    """One UNION ALL of (expert id, reason) rows. Each part reads the smallest table that answers it
    through an index; the parts run over the whole pool and compute() keeps the buckets' candidates."""
    experts = Expert.objects.order_by()

    def part(qs, reason, column="pk"):
        return qs.order_by().annotate(why=Value(reason, output_field=CharField())).values_list(column, "why")

    day_start = timezone.make_aware(datetime.combine(c.day, datetime.min.time()))
    parts = [
        part(Leave.objects.filter(starts_on__lte=c.day, ends_on__gte=c.day), "leave", "expert_id"),
        part(Penalty.objects.filter(decided_on__gt=years_before(c.day, c.penalty_years), decided_on__lte=c.day),
             "penalty", "expert_id"),
        part(Selection.objects.filter(
            state__in=[SelectionState.NOTIFIED, SelectionState.CONFIRMED],
            draw__evaluation_at__gte=day_start, draw__evaluation_at__lt=day_start + timedelta(days=1),
        ).exclude(draw_id=c.exclude_draw_id), "booked", "expert_id"),
        part(experts.filter(pk__in=Selection.objects.filter(
            notified_at__gte=c.now - timedelta(days=c.selection_window_days)).exclude(draw_id=c.exclude_draw_id)
            .order_by().values("expert_id").annotate(n=Count("pk")).filter(n__gte=c.max_selections)
            .values("expert_id")), "frequency"),
    ]
    if c.party_ids:
        members = Membership.objects.filter(organisation_id__in=c.party_ids, is_active=True).values("user_id")
        parts += [part(experts.filter(user_id__in=members), "party"),
                  part(Relationship.objects.filter(_relationship_still_counts(c), organisation_id__in=c.party_ids),
                       "relationship", "expert_id")]
    if party_codes:
        parts += [part(Relationship.objects.filter(_relationship_still_counts(c), credit_code__in=party_codes),
                       "relationship", "expert_id")]
    return parts[0].union(*parts[1:], all=True)


def _row_flags(c: Criteria, party_codes: list[str]) -> dict[str, Q]:
    """Reasons read from the expert's own row, evaluated by the database on the candidate rows only."""
    flags = {
        "status": Q(expert__status=Expert.Status.RETIRED) | Q(expert__status=Expert.Status.SUSPENDED) & (
            Q(expert__suspended_until__isnull=True) | Q(expert__suspended_until__gte=c.day)),
        "age": Q(expert__birth_date__lte=years_before(c.day, c.max_age + 1)),
        "party": Q(expert__employer_id__in=c.party_ids or [0]) | Q(expert__employer_credit_code__in=party_codes or ["-"]),
    }
    region = Q(expert_id__isnull=True)  # never true: the start of an OR
    if c.allowed_regions:
        allowed = Q()
        for prefix in c.allowed_regions:
            allowed |= Q(expert__region__startswith=prefix)
        region |= ~allowed
    if c.exclude_own_county and c.project_region.count("/") >= 2:
        region |= Q(expert__region__startswith=c.project_region)
    flags["region"] = region
    return flags


def _relationship_still_counts(c: Criteria) -> Q:
    return Q(ended_on__isnull=True) | Q(ended_on__gt=years_before(c.day, c.relationship_years))


def compute(buckets: list[tuple[str, int]], criteria: Criteria) -> Eligibility:
    """`buckets` are (key, specialty id) pairs. Three queries: the tree, the candidates, the exclusions
    (plus one for the parties' credit codes when there are parties)."""
    trees = subtrees([sid for _, sid in buckets])
    scope_ids = set().union(*trees.values()) if trees else set()
    party_codes = list(Organisation.objects.filter(pk__in=criteria.party_ids).values_list("credit_code", flat=True)) \
        if criteria.party_ids else []
    flags = _row_flags(criteria, party_codes)
    rows = ExpertSpecialty.objects.filter(specialty_id__in=scope_ids).annotate(**{
        f"x_{name}": ExpressionWrapper(q, output_field=BooleanField()) for name, q in flags.items()}
    ).values_list("expert_id", "specialty_id", *(f"x_{name}" for name in flags))
    by_specialty: dict[int, set[int]] = defaultdict(set)
    excluded: dict[int, set[str]] = defaultdict(set)
    names = list(flags)
    for expert_id, specialty_id, *hits in rows:
        by_specialty[specialty_id].add(expert_id)
        for name, hit in zip(names, hits):
            if hit:
                excluded[expert_id].add(name)
    candidates = {key: set().union(*(by_specialty[s] for s in trees[sid])) for key, sid in buckets}
    everyone = set().union(*candidates.values()) if candidates else set()
    for expert_id, reason in _excluded_query(criteria, party_codes):
        if expert_id in everyone:
            excluded[expert_id].add(reason)
    result = Eligibility(candidates=candidates, excluded=dict(excluded))
    result.eligible = {key: sorted(ids - excluded.keys()) for key, ids in candidates.items()}
    return result
