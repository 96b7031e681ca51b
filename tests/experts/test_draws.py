"""Requesting and running draws: the rules, eligibility with reasons, answers and replacements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from accounts.models import Organisation
from core import clock
from core.errors import DomainError, IllegalTransition, PermissionDenied
from experts.models import Draw, DrawStatus, Leave, Penalty, Relationship, Selection, SelectionState
from experts.services.draws import BucketInput, draw_request, draw_run
from experts.services.responses import (
    conflict_declare,
    draw_advance,
    expert_actor,
    invitation_confirm,
    invitation_decline,
)
from tests.experts.conftest import draw_input, evaluation_time
from tests.factories import OrganisationFactory, actor_of, make_expert
from witness.models import Event

pytestmark = pytest.mark.django_db


def counts():
    return Draw.objects.count(), Selection.objects.count(), Event.objects.count()


def seated(draw):
    return list(draw.selections.filter(state__in=["notified", "confirmed"]).order_by("sequence"))


def test_a_draw_commits_before_drawing_and_notifies_the_experts(drawn, pool):
    # then the ledger shows requested, committed, drawn, selected, notified in that order
    actions = list(Event.objects.filter(subject_type="experts.draw", subject_id=str(drawn.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["draw.requested", "draw.committed", "draw.drawn", "draw.selected", "draw.notified"]
    assert drawn.status == DrawStatus.CONFIRMING
    picked = seated(drawn)
    assert len(picked) == 5
    assert sum(1 for s in picked if s.bucket.position == 1) == 4
    assert {s.expert_id for s in picked if s.bucket.position == 2} <= {e.pk for e in pool["cost"]}
    # each drawn expert has an in-platform message
    for s in picked:
        assert s.expert.user.expert_messages.count() == 1


def test_the_seed_stays_secret_until_the_award(drawn):
    drawn.refresh_from_db()
    assert drawn.seed_revealed == "" and drawn.seed_cipher and len(drawn.seed_sha256) == 64
    committed = Event.objects.get(action="draw.committed", subject_id=str(drawn.pk))
    assert "seed" not in committed.data and committed.data["seed_sha256"] == drawn.seed_sha256


def test_a_move_of_a_row_the_caller_holds_is_checked_like_any_other(drawn, agency):
    from django.db import transaction

    from experts.lifecycle import draw_transition

    before = counts()
    with transaction.atomic():
        held = Draw.objects.select_for_update().get(pk=drawn.pk)
        with translation.override("en"), pytest.raises(IllegalTransition, match="cannot become Inputs committed"):
            draw_transition(actor=agency, draw=held, to=DrawStatus.COMMITTED, held=True)  # confirming → committed
        moved = draw_transition(actor=agency, draw=held, to=DrawStatus.STOPPED, held=True,
                                changes={"stop_reason": "测试"})
    assert moved is held and held.status == DrawStatus.STOPPED
    drawn.refresh_from_db()
    assert drawn.status == DrawStatus.STOPPED and drawn.stop_reason == "测试"
    assert counts() == (before[0], before[1], before[2] + 1)
    assert Event.objects.order_by("-seq").first().action == "draw.stopped"


@pytest.mark.parametrize("overrides, field, text", [
    ({"size": 6, "buckets": (("SZ01", 5), ("ZJ", 1))}, "committee_size", "odd number"),
    ({"size": 3, "buckets": (("SZ01", 3),)}, "committee_size", "at least 5"),
    ({"size": 7, "buckets": (("SZ01", 3), ("ZJ", 1))}, "committee_size", "two thirds"),
])
def test_a_request_breaking_a_committee_rule_changes_nothing(published, agency, pool, overrides, field, text):
    before = counts()
    with translation.override("en"), pytest.raises(DomainError) as caught:
        draw_request(actor=agency, data=draw_input(published, **overrides))
    assert any(text in m for m in caught.value.fields[field])
    assert counts() == before


def test_large_government_procurement_needs_seven(agency, tenderer, centre, clock_at, pool):
    from decimal import Decimal

    from bidding.models import Category, Method
    from bidding.services import tender_review, tender_submit
    from tests.factories import make_tender

    now = clock_at(clock.now().replace(microsecond=0))
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, start=now - timedelta(hours=1),
                         category=Category.GOVERNMENT, method=Method.OPEN, budget=Decimal("12000000.00"))
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=centre, tender=tender, approve=True)
    with translation.override("en"), pytest.raises(DomainError) as caught:
        draw_request(actor=agency, data=draw_input(tender))
    assert "at least 7" in caught.value.fields["committee_size"][0]


def test_a_draw_too_early_before_evaluation_is_refused(published, agency, pool):
    before = counts()
    with translation.override("en"), pytest.raises(DomainError) as caught:
        draw_request(actor=agency, data=draw_input(published, evaluation_at=evaluation_time(5)))
    assert "Too early" in caught.value.fields["evaluation_at"][0]
    assert counts() == before


def test_an_unknown_specialty_is_refused(published, agency, pool):
    data = draw_input(published)
    data.buckets.append(BucketInput(999999, 1))
    before = counts()
    with translation.override("en"), pytest.raises(DomainError) as caught:
        draw_request(actor=agency, data=data)
    assert "Unknown specialty" in caught.value.fields["buckets.3.specialty"][0]
    assert counts() == before


@pytest.mark.parametrize("kind", ["bidder", "centre", "regulator", "other-agency", "tenderer-run-by-agency"])
def test_only_the_operator_may_request(published, pool, tenderer, kind):
    actor = tenderer if kind == "tenderer-run-by-agency" else actor_of("agency" if kind == "other-agency" else kind)
    before = counts()
    with pytest.raises(PermissionDenied):
        draw_request(actor=actor, data=draw_input(published))
    assert counts() == before


def test_exclusions_are_applied_and_recorded_with_reasons(published, agency, tenderer, bidders_of):
    day = evaluation_time().date()
    bidder = OrganisationFactory(kind=Organisation.Kind.BIDDER)
    bidders_of({published.lots.first().pk: [bidder.pk]})
    fine = [make_expert(specialties=["SZ01"]) for _ in range(4)] + [make_expert(specialties=["ZJ"])]
    employed = make_expert(specialties=["SZ01"], employer=tenderer.organisation)
    related = make_expert(specialties=["SZ01"])
    Relationship.objects.create(expert=related, kind="shareholding", organisation_name=bidder.name,
                                credit_code=bidder.credit_code)
    on_leave = make_expert(specialties=["SZ01"])
    Leave.objects.create(expert=on_leave, starts_on=day, ends_on=day)
    penalised = make_expert(specialties=["SZ01"])
    Penalty.objects.create(expert=penalised, decided_on=day - timedelta(days=400), authority="县发改局", description="迟到")
    retired = make_expert(specialties=["SZ01"], status="retired")
    local = make_expert(specialties=["SZ01"], region="浙江省/湖州市/安吉县")
    old = make_expert(specialties=["SZ01"], birth="19400101")
    draw = draw_run(actor=agency, draw=draw_request(actor=agency, data=draw_input(published)))
    assert {s.expert_id for s in seated(draw)} == {e.pk for e in fine}
    excluded = draw.buckets.get(position=1).excluded
    assert excluded["party"] == [employed.pk]
    assert excluded["relationship"] == [related.pk]
    assert excluded["leave"] == [on_leave.pk]
    assert excluded["penalty"] == [penalised.pk]
    assert excluded["status"] == [retired.pk]
    assert excluded["region"] == [local.pk]
    assert excluded["age"] == [old.pk]


def test_a_bucket_that_runs_out_stops_the_draw_naming_it(published, agency):
    for _ in range(4):
        make_expert(specialties=["SZ01"])
    booked = make_expert(specialties=["ZJ"], region="浙江省/湖州市/安吉县")
    with translation.override("en"):
        draw = draw_run(actor=agency, draw=draw_request(actor=agency, data=draw_input(published)))
    assert draw.status == DrawStatus.STOPPED
    assert "Bucket 2 (造价) needs 1 experts but only 0 are eligible" in draw.stop_reason
    assert "1 outside the regions drawn from" in draw.stop_reason
    assert not Selection.objects.exists() and booked.pk


def test_confirmations_complete_the_committee(drawn):
    for s in seated(drawn):
        invitation_confirm(actor=expert_actor(s), selection=s)
    drawn.refresh_from_db()
    assert drawn.status == DrawStatus.COMPLETE


def test_confirming_twice_or_after_the_limit_is_refused(drawn, clock_at):
    first, second = seated(drawn)[:2]
    invitation_confirm(actor=expert_actor(first), selection=first)
    before = counts()
    with pytest.raises(IllegalTransition):
        invitation_confirm(actor=expert_actor(first), selection=first)
    clock_at(second.respond_by + timedelta(minutes=1))
    with translation.override("en"), pytest.raises(DomainError) as caught:
        invitation_confirm(actor=expert_actor(second), selection=second)
    assert "The time to answer ended" in str(caught.value)
    assert counts() == before


def test_a_decline_takes_the_next_in_the_same_ranking(drawn):
    from core import lottery
    from experts.services.draws import draw_seed

    victim = seated(drawn)[0]
    invitation_decline(actor=expert_actor(victim), selection=victim, reason="出差")
    new = drawn.selections.get(replaces=victim)
    order = lottery.ranking(draw_seed(drawn), victim.bucket.eligible)
    used = set(drawn.selections.exclude(pk=new.pk).values_list("expert_id", flat=True))
    assert new.expert_id == lottery.next_in(order, used)
    assert new.bucket_id == victim.bucket_id and new.state == SelectionState.NOTIFIED


def test_silence_times_out_when_the_page_is_read_without_the_task(drawn, clock_at):
    clock_at(seated(drawn)[0].respond_by + timedelta(seconds=1))
    assert draw_advance(drawn) == 5
    assert drawn.selections.filter(state=SelectionState.TIMED_OUT).count() == 5
    # 4 road spares and 2 cost spares: every seat refilled
    assert drawn.selections.filter(state=SelectionState.NOTIFIED).count() == 5


def test_another_expert_cannot_answer(drawn):
    a, b = seated(drawn)[:2]
    with pytest.raises(PermissionDenied):
        invitation_confirm(actor=expert_actor(b), selection=a)


def test_a_declared_conflict_triggers_a_replacement(drawn, bidders_of):
    bidder = OrganisationFactory(kind=Organisation.Kind.BIDDER, name="浙江青山路桥建设有限公司")
    bidders_of({drawn.lot_id: [bidder.pk]})
    for s in seated(drawn):
        invitation_confirm(actor=expert_actor(s), selection=s)
    drawn.refresh_from_db()
    assert drawn.status == DrawStatus.COMPLETE
    s = seated(drawn)[1]
    with translation.override("en"), pytest.raises(DomainError):
        conflict_declare(actor=expert_actor(s), selection=s, has_conflict=True, note="")
    declaration = conflict_declare(actor=expert_actor(s), selection=s, has_conflict=True, note="配偶在该公司任职")
    assert declaration.bidders == [{"id": bidder.pk, "name": bidder.name}]
    s.refresh_from_db()
    drawn.refresh_from_db()
    assert s.state == SelectionState.REPLACED and drawn.status == DrawStatus.CONFIRMING
    assert drawn.selections.filter(replaces=s).exists()
    other = seated(drawn)[0]
    assert not conflict_declare(actor=expert_actor(other), selection=other, has_conflict=False).has_conflict


def test_an_expert_booked_that_day_is_not_drawn_again(drawn, agency, tenderer, centre, pool):
    from bidding.services import tender_review, tender_submit
    from tests.factories import make_tender

    tender = make_tender(agency=agency, tenderer=tenderer.organisation, start=clock.now() - timedelta(hours=1),
                         region="浙江省/湖州市/安吉县")
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=centre, tender=tender, approve=True)
    with translation.override("en"):
        second = draw_run(actor=agency, draw=draw_request(actor=agency, data=draw_input(tender)))
    booked = {s.expert_id for s in seated(drawn)}
    assert not booked & {s.expert_id for s in seated(second)}
    assert second.status == DrawStatus.CONFIRMING  # 4 road and 2 cost experts were still free
