"""Eligibility SQL against a plain Python reading of the rules (RULES X6), and its constant query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import Membership
from core import clock
from experts import eligibility
from experts.models import Draw, DrawBucket, Expert, Leave, Penalty, Relationship, Selection, Specialty
from tests.experts.conftest import evaluation_time
from tests.factories import OrganisationFactory, make_expert

pytestmark = pytest.mark.django_db

# Each trait makes an expert excluded or, for the ones at a rule's edge, keeps them in.
TRAITS = ["retired", "suspended", "suspended_today", "suspended_past", "old", "old_edge", "young_edge", "employer",
          "employer_code", "member", "relationship", "relationship_code", "relationship_ended", "relationship_edge",
          "leave", "leave_from", "leave_ended", "penalty", "penalty_edge", "local", "elsewhere", "booked",
          "booked_declined", "frequent"]
SPECIALTIES = ["SZ01", "SZ02", "ZJ"]  # buckets ask for SZ (SZ01 and SZ02 below it) and ZJ


def reference(experts: list[Expert], criteria: eligibility.Criteria, party_codes: set[str]) -> dict[int, set[str]]:
    """Every rule read off the rows in Python, one expert at a time."""
    day = criteria.day
    members = set(Membership.objects.filter(organisation_id__in=criteria.party_ids, is_active=True)
                  .values_list("user_id", flat=True))
    reasons: dict[int, set[str]] = {}
    for e in experts:
        why = set()
        if e.status == "retired" or e.status == "suspended" and (e.suspended_until is None or e.suspended_until >= day):
            why.add("status")
        if e.birth_date <= eligibility.years_before(day, criteria.max_age + 1):
            why.add("age")
        if e.leaves.filter(starts_on__lte=day, ends_on__gte=day).exists():
            why.add("leave")
        if any(eligibility.years_before(day, criteria.penalty_years) < p.decided_on <= day for p in e.penalties.all()):
            why.add("penalty")
        if e.employer_id in criteria.party_ids or e.employer_credit_code in party_codes or e.user_id in members:
            why.add("party")
        for r in e.relationships.all():
            counts = r.ended_on is None or r.ended_on > eligibility.years_before(day, criteria.relationship_years)
            if counts and (r.organisation_id in criteria.party_ids or r.credit_code in party_codes):
                why.add("relationship")
        if any(s.state in ("notified", "confirmed") and timezone.localtime(s.draw.evaluation_at).date() == day
               and s.draw_id != criteria.exclude_draw_id for s in e.selections.select_related("draw")):
            why.add("booked")
        recent = [s for s in e.selections.all() if s.notified_at >= criteria.now - timedelta(
            days=criteria.selection_window_days) and s.draw_id != criteria.exclude_draw_id]
        if len(recent) >= criteria.max_selections:
            why.add("frequency")
        if criteria.allowed_regions and not any(e.region.startswith(p) for p in criteria.allowed_regions):
            why.add("region")
        if criteria.exclude_own_county and criteria.project_region.count("/") >= 2 \
                and e.region.startswith(criteria.project_region):
            why.add("region")
        if why:
            reasons[e.pk] = why
    return reasons


def _past_draw(published, agency, when):
    draw = Draw.objects.create(tender=published, lot=published.lots.first(), requested_by=agency.organisation,
                               evaluation_at=when, committee_size=5, created_by=agency.user, created_at=when,
                               status="confirming")
    return draw, DrawBucket.objects.create(draw=draw, position=1, specialty=Specialty.objects.get(code="SZ01"),
                                           count=5)


# Every trait once (one expert each), and an expert with two reasons holding both buckets' specialties.
EVERY_TRAIT = [({trait}, {SPECIALTIES[n % 3]}) for n, trait in enumerate(TRAITS)] + [({"retired", "local"},
                                                                                     {"SZ01", "ZJ"})]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(pool=EVERY_TRAIT, remote=False)
@example(pool=EVERY_TRAIT, remote=True)
@given(pool=st.lists(st.tuples(st.sets(st.sampled_from(TRAITS), max_size=3),
                               st.sets(st.sampled_from(SPECIALTIES), min_size=1, max_size=2)), min_size=1, max_size=12),
       remote=st.booleans())
def test_the_sql_agrees_with_the_rules_read_in_python(published, agency, tenderer, pool, remote):
    Selection.objects.all().delete()
    Draw.objects.all().delete()
    Expert.objects.all().delete()
    now = clock.now()
    day = evaluation_time().date()
    bidder = OrganisationFactory()
    parties = sorted([tenderer.organisation.pk, agency.organisation.pk, bidder.pk])
    same_day, _ = _past_draw(published, agency, evaluation_time())
    same_day_bucket = same_day.buckets.get()
    recent = [_past_draw(published, agency, now - timedelta(days=d)) for d in (3, 5)]
    experts = []
    for n, (traits, specialties) in enumerate(pool):
        kwargs = {"region": "浙江省/湖州市/安吉县" if "local" in traits else
                  "浙江省/宁波市/鄞州区" if "elsewhere" in traits else "浙江省/杭州市/西湖区"}
        if "retired" in traits:
            kwargs["status"] = "retired"
        elif suspended := traits & {"suspended", "suspended_today", "suspended_past"}:
            until = {"suspended": 3, "suspended_today": 0, "suspended_past": -1}[min(suspended)]
            kwargs.update(status="suspended", suspended_until=day + timedelta(days=until))
        if "old" in traits:
            kwargs["birth"] = f"{day.year - 71}0101"
        elif traits & {"old_edge", "young_edge"}:  # 71 today, or tomorrow (EXPERT_MAX_AGE 70)
            born = eligibility.years_before(day, 71) + timedelta(days=0 if "old_edge" in traits else 1)
            kwargs["birth"] = f"{born:%Y%m%d}"
        if "employer" in traits:
            kwargs["employer"] = bidder
        e = make_expert(specialties=sorted(specialties), **kwargs)
        if "employer_code" in traits:
            Expert.objects.filter(pk=e.pk).update(employer_credit_code=tenderer.organisation.credit_code)
        if "member" in traits:
            Membership.objects.create(user=e.user, organisation=agency.organisation, role="staff")
        edge = eligibility.years_before(day, 3)  # the first day that no longer counts (penalties, relationships)
        for trait, fields in (("relationship", {"organisation": bidder}),
                              ("relationship_code", {"credit_code": bidder.credit_code}),
                              ("relationship_ended", {"organisation": bidder, "ended_on": edge - timedelta(days=400)}),
                              ("relationship_edge", {"organisation": bidder, "ended_on": edge})):
            if trait in traits:
                Relationship.objects.create(expert=e, kind="relative", organisation_name="x", **fields)
        if "leave" in traits:  # ends on the day
            Leave.objects.create(expert=e, starts_on=day - timedelta(days=2), ends_on=day)
        if "leave_from" in traits:  # starts on the day
            Leave.objects.create(expert=e, starts_on=day, ends_on=day + timedelta(days=2))
        if "leave_ended" in traits:
            Leave.objects.create(expert=e, starts_on=day - timedelta(days=3), ends_on=day - timedelta(days=1))
        if "penalty" in traits:
            Penalty.objects.create(expert=e, decided_on=day - timedelta(days=30), authority="a", description="d")
        if "penalty_edge" in traits:
            Penalty.objects.create(expert=e, decided_on=edge, authority="a", description="d")
        if traits & {"booked", "booked_declined"}:
            Selection.objects.create(draw=same_day, bucket=same_day_bucket, expert=e, sequence=n + 1, rank=1,
                                     state="confirmed" if "booked" in traits else "declined", notified_at=now,
                                     respond_by=now)
        if "frequent" in traits:
            for draw, bucket in recent:
                Selection.objects.create(draw=draw, bucket=bucket, expert=e, sequence=n + 1, rank=1,
                                         state="declined", notified_at=draw.created_at, respond_by=draw.created_at)
        experts.append(Expert.objects.get(pk=e.pk))
    criteria = eligibility.Criteria(
        day=day, now=now, party_ids=parties, project_region="浙江省/湖州市/安吉县", exclude_own_county=not remote,
        allowed_regions=["浙江省/杭州市", "浙江省/湖州市"] if remote else [], max_selections=2, exclude_draw_id=None)
    codes = dict(Specialty.objects.values_list("code", "pk"))
    found = eligibility.compute([("1", codes["SZ"]), ("2", codes["ZJ"])], criteria)
    want = reference(experts, criteria, {tenderer.organisation.credit_code, agency.organisation.credit_code,
                                         bidder.credit_code})
    holders = {"1": {e.pk for e, (_, s) in zip(experts, pool) if s & {"SZ01", "SZ02"}},
               "2": {e.pk for e, (_, s) in zip(experts, pool) if "ZJ" in s}}
    for key, ids in holders.items():
        assert found.candidates[key] == ids
        assert found.eligible[key] == sorted(ids - want.keys())
        by_reason: dict[str, list[int]] = {}
        for expert_id in sorted(ids & want.keys()):
            for reason in want[expert_id]:
                by_reason.setdefault(reason, []).append(expert_id)
        assert found.excluded_in(key) == dict(sorted(by_reason.items()))


def test_the_number_of_queries_does_not_grow_with_the_pool(published, tenderer):
    codes = dict(Specialty.objects.values_list("code", "pk"))
    criteria = eligibility.Criteria(day=evaluation_time().date(), now=clock.now(), party_ids=[tenderer.organisation.pk],
                                    project_region="浙江省/湖州市/安吉县")
    counted = []
    for size in (2, 20):
        for _ in range(size - Expert.objects.count()):
            make_expert(specialties=["SZ01"], status="retired" if len(counted) else "active")
        with CaptureQueriesContext(connection) as queries:
            found = eligibility.compute([("1", codes["SZ"])], criteria)
        assert len(found.candidates["1"]) == size
        counted.append(len(queries.captured_queries))
    # the tree, the candidates, the parties' credit codes, the exclusions (and on PostgreSQL, inside a transaction,
    # the SET LOCAL that keeps the exclusions statement serial)
    assert counted[0] == counted[1] <= 5
