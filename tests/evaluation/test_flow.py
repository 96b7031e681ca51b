"""The evaluation from the committee's forming to the summary, through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core import clock
from core.errors import DomainError, IllegalTransition, PermissionDenied
from evaluation.models import Committee, Flag, Member, Result, Sheet
from evaluation.services import committees, summary, work
from evaluation.services.work import bids_under_evaluation, scored_criteria
from witness.models import Event

pytestmark = pytest.mark.django_db


def elect(ready, leader_position=1):
    committee = ready.committee
    target = committee.members.get(position=leader_position)
    for actor in ready.experts:
        committees.leader_vote(actor=actor, lot_id=ready.lot.pk, candidate_id=target.pk)
    return Committee.objects.get(pk=committee.pk)


def review_all(ready, fail=None):
    """Every member passes everything, except `fail` = (bid index, requirement position, members failing)."""
    committee = ready.committee
    requirements = list(committee.lot.scheme.requirements.order_by("position"))
    for n, actor in enumerate(ready.experts, start=1):
        for i, opened in enumerate(bids_under_evaluation(committee)):
            for req in requirements:
                failing = fail and i == fail[0] and req.position == fail[1] and n <= fail[2]
                work.review_mark(actor=actor, lot_id=ready.lot.pk, bid_id=opened.bid_id, requirement_id=req.pk,
                                 passed=not failing, reason="资质证书已过有效期" if failing else "")
        work.sheet_submit(actor=actor, lot_id=ready.lot.pk, step="review")


def score_all(ready, points=None):
    committee = Committee.objects.get(pk=ready.committee.pk)
    compliant = set(work.compliant_bid_ids(committee))
    for n, actor in enumerate(ready.experts, start=1):
        member = committee.members.get(user=actor.user)
        for i, opened in enumerate(bids_under_evaluation(committee)):
            if opened.bid_id not in compliant:
                continue
            for c in scored_criteria(member, committee):
                value = points(n, i, c) if points else c.max_points * Decimal("0.8")
                work.score_save(actor=actor, lot_id=ready.lot.pk, bid_id=opened.bid_id, criterion_id=c.pk,
                                points=value)
        work.sheet_submit(actor=actor, lot_id=ready.lot.pk, step="scoring")


def test_the_committee_is_the_seated_experts_and_moves_the_tender_to_evaluating(formed):
    committee = formed.committee
    assert committee.members.count() == 5 and committee.stage == "electing"
    committee.lot.tender.refresh_from_db()
    assert committee.lot.tender.status == "evaluating"
    assert sorted(committee.members.values_list("branch", flat=True)) == ["economic"] + ["technical"] * 4
    event = Event.objects.get(action="evaluation.committee_formed")
    assert "members" in event.data and not any(m.name in str(event.data) for m in committee.members.all())


def test_the_leader_is_elected_by_the_members(formed):
    committee = elect(formed, leader_position=2)
    assert committee.stage == "reviewing"
    assert committee.members.get(is_leader=True).position == 2
    with pytest.raises(IllegalTransition):
        committees.leader_vote(actor=formed.experts[0], lot_id=formed.lot.pk,
                               candidate_id=committee.members.get(position=1).pk)


def test_a_fail_needs_a_reason_and_a_submitted_review_is_locked(formed, english):
    elect(formed)
    committee = formed.committee
    bid = bids_under_evaluation(committee)[0].bid_id
    req = committee.lot.scheme.requirements.first()
    with pytest.raises(DomainError, match="reason"):
        work.review_mark(actor=formed.experts[0], lot_id=formed.lot.pk, bid_id=bid, requirement_id=req.pk,
                         passed=False)
    with pytest.raises(DomainError, match="not complete"):
        work.sheet_submit(actor=formed.experts[0], lot_id=formed.lot.pk, step="review")


def test_the_majority_decides_the_review_and_a_failed_bid_is_not_scored(formed):
    elect(formed)
    review_all(formed, fail=(0, 1, 3))  # three of five fail bid 0 on requirement 1
    committee = Committee.objects.get(pk=formed.committee.pk)
    assert committee.stage == "scoring"
    rejected = Result.objects.get(committee=committee, compliant=False)
    assert rejected.bid_id == bids_under_evaluation(committee)[0].bid_id
    assert rejected.failed_requirements[0]["reasons"] == ["资质证书已过有效期"]
    with pytest.raises(DomainError):
        work.score_save(actor=formed.experts[0], lot_id=formed.lot.pk, bid_id=rejected.bid_id,
                        criterion_id=committee.lot.scheme.criteria.exclude(kind="price").first().pk, points="10")


def test_scores_are_range_checked_hidden_until_both_submitted_and_locked(formed, english):
    elect(formed)
    review_all(formed)
    committee = Committee.objects.get(pk=formed.committee.pk)
    bid = bids_under_evaluation(committee)[0].bid_id
    me = committee.members.get(user=formed.experts[0].user)
    criterion = scored_criteria(me, committee)[0]
    with pytest.raises(DomainError):
        work.score_save(actor=formed.experts[0], lot_id=formed.lot.pk, bid_id=bid, criterion_id=criterion.pk,
                        points=criterion.max_points + 1)
    price = committee.lot.scheme.criteria.get(kind="price")
    with pytest.raises(DomainError, match="do not score"):
        work.score_save(actor=formed.experts[0], lot_id=formed.lot.pk, bid_id=bid, criterion_id=price.pk, points="1")
    economic = committee.members.get(branch="economic")
    technical_only = committee.lot.scheme.criteria.get(scored_by="technical")
    economic_actor = next(a for a in formed.experts if a.user.pk == economic.user_id)
    with pytest.raises(DomainError, match="do not score"):
        work.score_save(actor=economic_actor, lot_id=formed.lot.pk, bid_id=bid, criterion_id=technical_only.pk,
                        points="1")
    other = committee.members.get(user=formed.experts[1].user)
    with pytest.raises(PermissionDenied):
        work.scores_of(actor=formed.experts[0], lot_id=formed.lot.pk, member_id=other.pk)
    score_all(formed)
    assert work.scores_of(actor=formed.experts[0], lot_id=formed.lot.pk, member_id=other.pk)
    with pytest.raises(IllegalTransition):
        work.score_save(actor=formed.experts[0], lot_id=formed.lot.pk, bid_id=bid, criterion_id=criterion.pk,
                        points="1")


def test_the_summary_ranks_by_score_then_price_and_flags_deviations(formed):
    elect(formed)
    review_all(formed)

    def points(member, bid_index, criterion):
        if member == 5 and bid_index == 1:
            return Decimal("0")  # one expert far below the others on one bid
        return criterion.max_points * Decimal("0.8")
    score_all(formed, points)
    committee = Committee.objects.get(pk=formed.committee.pk)
    assert committee.stage == "summary" and committee.summarised_at
    results = list(Result.objects.filter(committee=committee).order_by("rank"))
    assert [r.rank for r in results] == [1, 2, 3]
    cheapest = min(results, key=lambda r: r.price)
    assert cheapest.price_score == Decimal("30.00")
    assert all(r.recommended for r in results)
    assert Flag.objects.filter(committee=committee, kind="deviation").exists()


def test_the_leader_decides_flags_and_corrects_only_what_the_rules_allow(formed, english):
    elect(formed)
    review_all(formed)
    score_all(formed, lambda m, i, c: Decimal("0") if (m, i) == (5, 1) else c.max_points * Decimal("0.8"))
    committee = Committee.objects.get(pk=formed.committee.pk)
    flag = Flag.objects.filter(committee=committee).first()
    not_leader = next(a for a in formed.experts if not committee.members.get(user=a.user).is_leader)
    with pytest.raises(PermissionDenied):
        summary.flag_decide(actor=not_leader, lot_id=formed.lot.pk, flag_id=flag.pk, decision="同意，评分有据可查。" * 2)
    leader = next(a for a in formed.experts if committee.members.get(user=a.user).is_leader)
    summary.flag_decide(actor=leader, lot_id=formed.lot.pk, flag_id=flag.pk,
                        decision="经评标委员会复核，该专家评分理由充分，维持原评分。")
    score = Sheet.objects.get(member__position=5, member__committee=committee, step="scoring").scores.filter(
        points=0).first()
    with pytest.raises(DomainError):
        summary.score_correct(actor=leader, lot_id=formed.lot.pk, score_id=score.pk, kind="i_feel_like_it",
                              points="10", reason="x")
    before = Result.objects.get(committee=committee, bid_id=score.bid_id).total
    summary.score_correct(actor=leader, lot_id=formed.lot.pk, score_id=score.pk, kind="abnormal_score",
                          points=str(score.criterion.max_points * Decimal("0.8")), reason="评分明显偏低，经核实予以修正")
    assert Result.objects.get(committee=committee, bid_id=score.bid_id).total > before
    assert Event.objects.filter(action="evaluation.score_corrected").count() == 1


def test_questions_go_to_the_bidder_and_answers_come_back_in_time(formed, clock_at, english):
    elect(formed)
    committee = formed.committee
    opened = bids_under_evaluation(committee)[0]
    bidder = next(b for b in formed.bidders if b.bid.pk == opened.bid_id)
    with pytest.raises(DomainError):
        work.question_ask(actor=formed.experts[0], lot_id=formed.lot.pk, bid_id=opened.bid_id, text="工期？",
                          answer_by=clock.now() + timedelta(minutes=5))
    question = work.question_ask(actor=formed.experts[0], lot_id=formed.lot.pk, bid_id=opened.bid_id,
                                 text="请澄清项目经理的注册证书编号。", answer_by=clock.now() + timedelta(hours=1))
    other = next(b for b in formed.bidders if b is not bidder)
    with pytest.raises(Exception):
        work.question_answer(actor=other.actor, question_id=question.pk, answer="不是我的")
    work.question_answer(actor=bidder.actor, question_id=question.pk, answer="浙233181901234")
    question.refresh_from_db()
    assert question.answer == "浙233181901234"


def test_a_member_reads_a_bid_file_decrypted_and_the_read_is_witnessed(formed):
    elect(formed)
    opened = bids_under_evaluation(formed.committee)[0]
    bidder = next(b for b in formed.bidders if b.bid.pk == opened.bid_id)
    name, size, chunks = work.bid_file_open(actor=formed.experts[0], lot_id=formed.lot.pk, bid_id=opened.bid_id,
                                            part_index=1)
    assert b"".join(chunks) == bidder.files[0][1] and name == bidder.files[0][0]
    assert Event.objects.filter(action="evaluation.bid_file_read").count() == 1
    with pytest.raises(Exception):
        work.bid_file_open(actor=formed.bidders[0].actor, lot_id=formed.lot.pk, bid_id=opened.bid_id, part_index=1)


def test_members_cannot_be_formed_twice_or_before_the_record(ready, agency):
    committees.committee_form(actor=agency, lot_id=ready.lot.pk)
    with pytest.raises(IllegalTransition):
        committees.committee_form(actor=agency, lot_id=ready.lot.pk)
    assert Member.objects.count() == 5
