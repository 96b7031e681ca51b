"""Who may be drawn for a lot (回避, RULES X6), computed as SQL over the whole pool.

One query reads the candidates (experts holding a bucket's specialty or one below it) from the
(specialty, expert) index, one row per specialty; one UNION ALL query returns the candidates excluded,
each with its reasons: those found on their own row (status, age, employer, region) and those found in
other tables (leave, penalties, bookings, frequency, relationships, membership of a party). Each part
reaches its rows through an index or a small table, and the statement keeps only the candidates' rows,
so no query joins every candidate to the expert table and the count of queries does not grow with the
pool (bench/expert_draw.py shows it). Python only takes set differences of the results.

The two queries are written as SQL (for PostgreSQL and SQLite, the databases the platform runs on): built
through the ORM, the exclusions query cost more to compose than the database took to answer it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from experts.models import Expert, ExpertSpecialty, SelectionState, Specialty

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
        excluded = self.excluded
        for expert_id in candidates.intersection(excluded):
            for reason in excluded[expert_id]:
                out[reason].append(expert_id)
        return {reason: sorted(ids) for reason, ids in sorted(out.items())}


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


def _in(values: list) -> tuple[str, list]:
    """An SQL list of placeholders and its parameters; `(NULL)`, which matches nothing, for no values."""
    return ("(" + ", ".join(["%s"] * len(values)) + ")", list(values)) if values else ("(NULL)", [])


def _own_row_reasons(c: Criteria, party_codes: list[str], connection) -> list[tuple[str, str, list]]:
    """(reason, condition on the expert row `e`, parameters) for the reasons read from the expert's own row."""
    day = connection.ops.adapt_datefield_value
    reasons = [
        # status <> active: the predicate of the partial index expert_unavailable (suspended or retired)
        ("status", "(e.status <> %s AND (e.status = %s OR e.suspended_until IS NULL OR e.suspended_until >= %s))",
         [Expert.Status.ACTIVE, Expert.Status.RETIRED, day(c.day)]),
        ("age", "e.birth_date <= %s", [day(years_before(c.day, c.max_age + 1))]),
    ]
    if c.party_ids:
        ids, id_params = _in(c.party_ids)
        codes, code_params = _in(party_codes)
        # two conditions, not one OR, so that each is an index-only scan (expert_employer, expert_employer_code)
        reasons += [("party", f"e.employer_id IN {ids}", id_params),
                    ("party", f"e.employer_credit_code IN {codes}", code_params)]
    # region__startswith, as the ORM writes it for this database (PostgreSQL serves it from expert_region_prefix)
    like = "e.region " + connection.operators["startswith"] % "%s"
    rules, params = [], []
    if c.allowed_regions:
        rules.append("NOT (" + " OR ".join([like] * len(c.allowed_regions)) + ")")
        params += [connection.ops.prep_for_like_query(prefix) + "%" for prefix in c.allowed_regions]
    if c.exclude_own_county and c.project_region.count("/") >= 2:
        rules.append(like)
        params.append(connection.ops.prep_for_like_query(c.project_region) + "%")
    if rules:
        reasons.append(("region", "(" + " OR ".join(rules) + ")", params))
    return reasons


def _exclusions(c: Criteria, scope_ids: list[int], party_codes: list[str]) -> list[tuple[int, str]]:
    """(expert id, reasons separated by spaces) for the candidates holding a specialty in `scope_ids`, in one
    statement. Each reason on the expert's own row (status, age, employer, region) is a part that its own
    index answers, ids included, instead of joining every candidate to the expert table; the other parts read
    small tables; the outer condition keeps the candidates' rows, so the
    database hashes the candidates once for all the parts. Rows with no reason may come back (remote
    evaluation); the caller skips them."""
    connection = connections[Expert.objects.db]
    adapt_day, adapt_time = connection.ops.adapt_datefield_value, connection.ops.adapt_datetimefield_value
    scope, scope_params = _in(scope_ids)
    candidates = f"SELECT expert_id FROM experts_expertspecialty WHERE specialty_id IN {scope}"
    own = _own_row_reasons(c, party_codes, connection)
    if c.allowed_regions:
        own_params = [p for _, _, params in own for p in params]
        why = " || ".join(f"CASE WHEN {cond} THEN '{reason} ' ELSE '' END" for reason, cond, _ in own)
        # Outside the regions drawn from matches most of the pool: read the candidates' rows instead, each with
        # its reasons or none.
        parts = [(f"SELECT e.id AS who, {why} AS why FROM experts_expert e WHERE e.id IN ({candidates})",
                  own_params + scope_params)]
    else:
        # One part per reason, each an index-only scan of its own index (experts/models/pool.py) on a vacuumed
        # table: the flagged experts' ids without visiting the table's pages.
        parts = [(f"SELECT e.id AS who, '{reason}' AS why FROM experts_expert e WHERE {cond}", params)
                 for reason, cond, params in own]
    not_this_draw = ("", []) if c.exclude_draw_id is None else (" AND s.draw_id <> %s", [c.exclude_draw_id])
    day_start = timezone.make_aware(datetime.combine(c.day, datetime.min.time()))
    parts += [
        ("SELECT expert_id, 'leave' FROM experts_leave WHERE starts_on <= %s AND ends_on >= %s",
         [adapt_day(c.day), adapt_day(c.day)]),
        ("SELECT expert_id, 'penalty' FROM experts_penalty WHERE decided_on > %s AND decided_on <= %s",
         [adapt_day(years_before(c.day, c.penalty_years)), adapt_day(c.day)]),
        ("SELECT s.expert_id, 'booked' FROM experts_selection s JOIN experts_draw d ON d.id = s.draw_id "
         "WHERE s.state IN (%s, %s) AND d.evaluation_at >= %s AND d.evaluation_at < %s" + not_this_draw[0],
         [SelectionState.NOTIFIED, SelectionState.CONFIRMED, adapt_time(day_start),
          adapt_time(day_start + timedelta(days=1)), *not_this_draw[1]]),
        ("SELECT s.expert_id, 'frequency' FROM experts_selection s WHERE s.notified_at >= %s" + not_this_draw[0]
         + " GROUP BY s.expert_id HAVING COUNT(*) >= %s",
         [adapt_time(c.now - timedelta(days=c.selection_window_days)), *not_this_draw[1], c.max_selections]),
    ]
    if c.party_ids:
        ids, id_params = _in(c.party_ids)
        codes, code_params = _in(party_codes)
        parts += [
            ("SELECT e.id, 'party' FROM experts_expert e WHERE e.user_id IN (SELECT m.user_id FROM "
             f"accounts_membership m WHERE m.is_active = %s AND m.organisation_id IN {ids})", [True, *id_params]),
            ("SELECT expert_id, 'relationship' FROM experts_relationship WHERE (ended_on IS NULL OR ended_on > %s) "
             f"AND (organisation_id IN {ids} OR credit_code IN {codes})",
             [adapt_day(years_before(c.day, c.relationship_years)), *id_params, *code_params]),
        ]
    sql = ("SELECT x.who, x.why FROM (" + " UNION ALL ".join(part for part, _ in parts)
           + f") x WHERE x.who IN ({candidates})")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # A parallel plan costs more to start (≈ 10 ms of worker start-up) than this statement takes to run
            # serially (≈ 10 ms at 100,000 experts); PostgreSQL picks one once the selection and draw tables grow
            # (bench/expert_draw.py measures both). For the rest of the draw's transaction only.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, [p for _, params in parts for p in params] + scope_params)
        return cursor.fetchall()


def _holders(scope_ids: list[int]) -> dict[int, list[int]]:
    """Expert ids by specialty, read from the (specialty, expert) index: one row per specialty with its ids
    joined by the database, rather than one row per expert."""
    connection = connections[ExpertSpecialty.objects.db]
    joined = "string_agg(expert_id::text, ',')" if connection.vendor == "postgresql" else "group_concat(expert_id)"
    scope, params = _in(scope_ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT specialty_id, {joined} FROM experts_expertspecialty WHERE specialty_id IN {scope} "
                       "GROUP BY specialty_id", params)
        return {specialty_id: list(map(int, ids.split(","))) for specialty_id, ids in cursor.fetchall()}


def compute(buckets: list[tuple[str, int]], criteria: Criteria) -> Eligibility:
    """`buckets` are (key, specialty id) pairs. Three queries whatever the pool's size: the tree, the
    candidates, and the candidates' exclusions with their reasons (plus one for the parties' credit codes
    when there are parties)."""
    trees = subtrees([sid for _, sid in buckets])
    scope_ids = sorted(set().union(*trees.values())) if trees else []
    by_specialty = _holders(scope_ids) if scope_ids else {}
    candidates = {key: set().union(*(by_specialty.get(s, ()) for s in trees[sid])) for key, sid in buckets}
    everyone = set().union(*candidates.values()) if candidates else set()
    party_codes = list(Organisation.objects.filter(pk__in=criteria.party_ids).values_list("credit_code", flat=True)) \
        if criteria.party_ids else []
    excluded: dict[int, set[str]] = defaultdict(set)
    if everyone:
        for expert_id, reasons in _exclusions(criteria, scope_ids, party_codes):
            if reasons and expert_id in everyone:
                excluded[expert_id].update(reasons.split())
    result = Eligibility(candidates=candidates, excluded=dict(excluded))
    result.eligible = {key: sorted(ids - excluded.keys()) for key, ids in candidates.items()}
    return result
