"""From the signed report to the award: the candidates' publicity, objections, the tenderer's award (定标), the
signed award notice and the e-mails, the savings, and the committee becoming public."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from bidding.models import Category, Method, Tender
from bidding.services.bids import at
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from core.pdfsign import pdfsig_report
from evaluation.models import Award, Committee, Result, Stage
from evaluation.services.award import (award_confirm, objection_answer, objection_raise, objections_for,
                                       publicity_for, publicity_start, savings, savings_figures)
from evaluation.services.award_notice import award_notice_publish, notice_terms, rmb_upper
from experts.models import Draw
from experts.permissions import DrawAction, draw_can
from tests.evaluation.test_flow import elect, review_all, score_all
from tests.factories import actor_of
from witness.models import Event

pytestmark = pytest.mark.django_db

ANONYMOUS = Actor(user=None, organisation=None, role="anonymous")


def reach_reported(ready, fail=None):
    """Elect, review and score through the services up to the summary. The report and its signatures
    (SUMMARY → SIGNING → REPORTED, evaluation/services/reports.py) are tested on their own; the award starts from
    a signed report, so the stage is set directly here."""
    elect(ready)
    review_all(ready, fail=fail)
    score_all(ready)
    Committee.objects.filter(pk=ready.committee.pk).update(stage=Stage.REPORTED)
    ready.committee.refresh_from_db()
    return ready


def bidder_at(ready, price: str):
    return next(b for b in ready.bidders if b.price == price)


@pytest.fixture
def published(formed, agency):
    reach_reported(formed)
    formed.publicity = publicity_start(actor=agency, lot_id=formed.lot.pk)
    return formed


def after_publicity(ready, clock_at):
    return clock_at(ready.publicity.ends_at + timedelta(seconds=1))


def test_the_candidates_are_published_to_the_public_without_expert_names(formed, agency, tenderer, english):
    with pytest.raises(IllegalTransition):  # still electing: no report yet
        publicity_start(actor=agency, lot_id=formed.lot.pk)
    reach_reported(formed)
    with pytest.raises(PermissionDenied):
        publicity_start(actor=tenderer, lot_id=formed.lot.pk)

    publicity = publicity_start(actor=agency, lot_id=formed.lot.pk)

    assert publicity.ends_at - publicity.starts_at == timedelta(days=3)  # 实施条例 art. 54
    assert Committee.objects.get(pk=formed.committee.pk).stage == "publicity"
    formed.lot.tender.refresh_from_db()
    assert formed.lot.tender.status == "publicity"
    event = Event.objects.get(action="evaluation.publicity_started")
    assert event.data["from"] == "reported" and len(event.data["candidates"]) == 3
    seen = publicity_for(actor=ANONYMOUS, lot_id=formed.lot.pk)
    assert [(c["rank"], c["price"]) for c in seen["candidates"]] == [
        (1, "1099999.50"), (2, "1180000.00"), (3, "1234567.89")]
    assert seen["candidates"][0]["bidder"] == bidder_at(formed, "1099999.50").actor.organisation.name
    assert all(c["total"] for c in seen["candidates"]) and seen["running"] and seen["award"] is None
    names = list(formed.committee.members.values_list("name", flat=True))
    assert not any(n in json.dumps(seen, default=str, ensure_ascii=False) for n in names)
    with pytest.raises(IllegalTransition):  # once only
        publicity_start(actor=agency, lot_id=formed.lot.pk)


def test_an_objection_after_the_publicity_is_refused_with_the_end_and_the_server_time(published, clock_at, english):
    loser = bidder_at(published, "1234567.89")
    outsider = actor_of("bidder")
    with pytest.raises(PermissionDenied):
        objection_raise(actor=outsider, lot_id=published.lot.pk, text="我也有意见")
    with pytest.raises(DomainError):
        objection_raise(actor=loser.actor, lot_id=published.lot.pk, text="  ")
    on_time = objection_raise(actor=loser.actor, lot_id=published.lot.pk, text="第一中标候选人项目经理有在建工程。")
    assert on_time.answer_due == on_time.raised_at + timedelta(days=3)

    late = after_publicity(published, clock_at)
    with pytest.raises(IllegalTransition) as refused:
        objection_raise(actor=loser.actor, lot_id=published.lot.pk, text="再提一次异议。")
    message = str(refused.value)
    assert f"ended at {at(published.publicity.ends_at)}" in message and f"the server time is {at(late)}" in message
    assert published.publicity.objections.count() == 1
    assert Event.objects.filter(action="evaluation.objection_raised").count() == 1


def test_the_award_waits_for_the_publicity_and_is_paused_while_an_objection_is_open(published, tenderer, agency,
                                                                                    clock_at, english):
    with pytest.raises(IllegalTransition, match="runs until"):
        award_confirm(actor=tenderer, lot_id=published.lot.pk)
    loser = bidder_at(published, "1180000.00")
    objection = objection_raise(actor=loser.actor, lot_id=published.lot.pk, text="对第一中标候选人的业绩有异议。")
    after_publicity(published, clock_at)

    with pytest.raises(IllegalTransition, match=f"objection no. {objection.pk} by") as paused:
        award_confirm(actor=tenderer, lot_id=published.lot.pk)
    assert loser.actor.organisation.name in str(paused.value)
    assert not Award.objects.exists()
    with pytest.raises(PermissionDenied):
        objection_answer(actor=tenderer, objection_id=objection.pk, answer="经核查，业绩属实。")
    assert [o.pk for o in objections_for(actor=loser.actor, lot_id=published.lot.pk)] == [objection.pk]
    assert objections_for(actor=bidder_at(published, "1234567.89").actor, lot_id=published.lot.pk) == []

    objection_answer(actor=agency, objection_id=objection.pk, answer="经核查，第一中标候选人业绩属实，异议不成立。")
    with pytest.raises(IllegalTransition):
        objection_answer(actor=agency, objection_id=objection.pk, answer="再答一次")
    award = award_confirm(actor=tenderer, lot_id=published.lot.pk)

    assert award.bid == bidder_at(published, "1099999.50").bid
    assert Committee.objects.get(pk=published.committee.pk).stage == "awarded"
    assert publicity_for(actor=ANONYMOUS, lot_id=published.lot.pk)["objections"] == {"raised": 1, "open": 0}
    with pytest.raises(IllegalTransition, match="already awarded"):
        award_confirm(actor=tenderer, lot_id=published.lot.pk)


def test_passing_over_the_first_candidate_needs_a_reason_and_a_non_candidate_is_refused(
        formed, agency, tenderer, clock_at, english, django_capture_on_commit_callbacks):
    reach_reported(formed, fail=(0, 1, 3))  # the first bid received fails the qualification review
    publicity = publicity_start(actor=agency, lot_id=formed.lot.pk)
    clock_at(publicity.ends_at)
    rejected = Result.objects.get(committee=formed.committee, compliant=False).bid_id
    first, second = (bidder_at(formed, p).bid.pk for p in ("1099999.50", "1234567.89"))
    lot = formed.lot.pk

    with pytest.raises(DomainError, match="published candidates"):
        award_confirm(actor=tenderer, lot_id=lot, bid_id=rejected)
    with pytest.raises(DomainError, match="record the reason") as missing:
        award_confirm(actor=tenderer, lot_id=lot, bid_id=second)
    assert bidder_at(formed, "1099999.50").actor.organisation.name in str(missing.value)
    with pytest.raises(DomainError, match="record the reason"):
        award_confirm(actor=tenderer, lot_id=lot, bid_id=second, passed_over=[{"bid": first, "reason": " "}])
    with pytest.raises(DomainError, match="ranked above"):
        award_confirm(actor=tenderer, lot_id=lot, bid_id=first, passed_over=[{"bid": second, "reason": "放弃"}])
    with pytest.raises(DomainError, match="candidate"):
        award_confirm(actor=tenderer, lot_id=lot, passed_over=[{"bid": rejected, "reason": "不是候选人"}])
    assert not Award.objects.exists()

    reason = "第一中标候选人书面放弃中标（2025年5月6日函）。"
    with django_capture_on_commit_callbacks(execute=True):
        award = award_confirm(actor=tenderer, lot_id=lot, passed_over=[{"bid": first, "reason": reason}])

    assert award.bid_id == second and award.price == Decimal("1234567.89")
    assert award.passed_over == [{"bid": first, "reason": reason}]
    event = Event.objects.get(action="evaluation.awarded")
    assert event.data["passed_over"][0]["reason"] == reason and event.data["rank"] == 2
    told = {b.price: next(m for m in mail.outbox if b.actor.organisation.contact_email in m.to).body
            for b in formed.bidders}
    assert reason in told["1099999.50"] and "未通过审查" in told["1180000.00"]
    assert "资质证书已过有效期" in told["1180000.00"]


def test_only_the_tenderer_confirms_the_winner(published, agency, regulator, clock_at, english):
    after_publicity(published, clock_at)
    for someone in (agency, regulator, published.bidders[2].actor, published.experts[0], actor_of("tenderer")):
        with pytest.raises(PermissionDenied, match="Only the tenderer"):
            award_confirm(actor=someone, lot_id=published.lot.pk)
    assert not Award.objects.exists()


def test_the_award_notice_is_signed_stored_recorded_and_every_bidder_is_told(
        published, tenderer, clock_at, django_capture_on_commit_callbacks):
    after_publicity(published, clock_at)
    winner = bidder_at(published, "1099999.50")

    with django_capture_on_commit_callbacks(execute=True):
        award = award_confirm(actor=tenderer, lot_id=published.lot.pk)

    award.refresh_from_db()
    pdf = award.notice.read()
    assert hashlib.sha256(pdf).hexdigest() == award.notice_sha256
    report = pdfsig_report(pdf)
    assert len(report["signatures"]) == 1
    signature = report["signatures"][0]
    assert signature["valid"] and signature["trusted"] and signature["total_document"], report["output"]
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    compact = "".join(text.split())
    assert "中标通知书" in compact and winner.actor.organisation.name in compact
    assert "人民币壹佰零玖万玖仟玖佰玖拾玖元伍角整" in compact and "1,099,999.50元" in compact
    event = Event.objects.get(action="evaluation.award_notice_published")
    assert event.data["sha256"] == award.notice_sha256 and event.data["bidders_told"] == 3

    assert len(mail.outbox) == 3
    by_bidder = {b.actor.organisation.name: next(m for m in mail.outbox if b.actor.organisation.contact_email in m.to)
                 for b in published.bidders}
    to_winner = by_bidder[winner.actor.organisation.name]
    assert winner.actor.user.email in to_winner.to
    assert [(name, data) for name, data, _mime in to_winner.attachments] == [
        (f"中标通知书-{published.lot.tender.reference}-1.pdf", pdf)]
    for b in published.bidders:
        if b is not winner:
            message = by_bidder[b.actor.organisation.name]
            assert not message.attachments
            assert winner.actor.organisation.name in message.body and "1,099,999.50" in message.body

    assert award_notice_publish(award.pk).notice_sha256 == award.notice_sha256  # once only
    assert len(mail.outbox) == 3 and Event.objects.filter(action="evaluation.award_notice_published").count() == 1


def test_savings_on_worked_numbers(published, tenderer, clock_at):
    after_publicity(published, clock_at)
    award_confirm(actor=tenderer, lot_id=published.lot.pk)
    # budget 3,000,000.00, awarded 1,099,999.50: saved 1,900,000.50, rate 0.633333… → 0.6333
    expected = {"budget": Decimal("3000000.00"), "awarded": Decimal("1099999.50"), "saved": Decimal("1900000.50"),
                "rate": Decimal("0.6333")}
    assert savings(published.lot.tender) == expected
    assert savings(type(published.lot).objects.filter(pk=published.lot.pk)) == expected
    assert Award.objects.get().savings_rate.quantize(Decimal("0.0001")) == Decimal("0.6333")
    assert savings(type(published.lot).objects.none()) == {"budget": 0, "awarded": 0, "saved": 0, "rate": None}
    # Half a unit in the fifth decimal goes up (ROUND_HALF_UP): 12,345 of 100,000 saved is 0.1235.
    assert savings_figures(Decimal("100000.00"), Decimal("87655.00"))["rate"] == Decimal("0.1235")
    assert savings_figures(Decimal("800000.00"), Decimal("731234.00")) == {
        "budget": Decimal("800000.00"), "awarded": Decimal("731234.00"), "saved": Decimal("68766.00"),
        "rate": Decimal("0.0860")}


def test_the_award_moves_the_tender_and_the_experts_names_become_public(published, tenderer, clock_at):
    draw = Draw.objects.get(pk=published.committee.draw_id)
    a_bidder = published.bidders[0].actor
    assert draw_can(a_bidder, draw, DrawAction.VIEW) and not draw_can(a_bidder, draw, DrawAction.VIEW_NAMES)
    after_publicity(published, clock_at)

    award_confirm(actor=tenderer, lot_id=published.lot.pk)

    tender = Tender.objects.get(pk=published.lot.tender_id)
    assert tender.status == "awarded"
    assert Event.objects.filter(action="tender.awarded", tender_id=tender.pk).exists()
    draw = Draw.objects.get(pk=draw.pk)
    assert draw_can(a_bidder, draw, DrawAction.VIEW_NAMES)
    assert draw.seed_revealed and Event.objects.filter(action="draw.seed_revealed", tender_id=tender.pk).exists()
    seen = publicity_for(actor=ANONYMOUS, lot_id=published.lot.pk)
    assert seen["award"]["bidder"] == bidder_at(published, "1099999.50").actor.organisation.name


def test_publicity_is_read_only_by_those_who_may_see_the_tender(published):
    with pytest.raises(NotFound):
        publicity_for(actor=ANONYMOUS, lot_id=published.lot.pk + 999)
    Tender.objects.filter(pk=published.lot.tender_id).update(published_at=None)  # as if never made public
    with pytest.raises(NotFound):
        publicity_for(actor=ANONYMOUS, lot_id=published.lot.pk)


@pytest.mark.parametrize("amount, words", [
    ("1099999.50", "壹佰零玖万玖仟玖佰玖拾玖元伍角整"), ("1180000.00", "壹佰壹拾捌万元整"),
    ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"), ("100000001", "壹亿零壹元整"), ("1.05", "壹元零伍分"),
    ("20003000.40", "贰仟万叁仟元肆角整"), ("0", "零元整")])
def test_amounts_in_capital_numerals(amount, words):
    assert rmb_upper(Decimal(amount)) == words


def test_the_notice_is_a_deal_notice_after_a_negotiation():
    assert notice_terms(Tender(category=Category.WORKS, method=Method.OPEN))["title"] == "中标通知书"
    gp = notice_terms(Tender(category=Category.GOVERNMENT, method=Method.OPEN))
    assert gp["title"] == "中标通知书" and gp["buyer"] == "采购人"
    assert notice_terms(Tender(category=Category.GOVERNMENT, method=Method.CONSULTATION))["title"] == "成交通知书"


# --- Government procurement (RULES M7; 87号令 art. 68-69) -------------------------------------------------------

@pytest.fixture
def gp_reported(formed, clock_at):
    """A government-procurement lot whose report every member has signed. The evaluation ran on a works scheme
    (the fixtures' own); the category is switched once it is reported, since the award reads only the category
    and the signed report."""
    from core import clock
    from evaluation.models import Report

    reach_reported(formed)
    Tender.objects.filter(pk=formed.lot.tender_id).update(category=Category.GOVERNMENT)
    formed.report = Report.objects.create(committee=formed.committee, file="report.pdf", sha256="0" * 64,
                                          generated_at=clock.now(), completed_at=clock.now())
    return formed


def first_ranked(ready):
    return Result.objects.filter(committee=ready.committee, rank=1).select_related("bid__bidder").get()


def test_government_procurement_has_no_candidate_publicity_the_purchaser_chooses_from_the_report(
        gp_reported, agency, tenderer, regulator, english, tmp_path):
    with pytest.raises(IllegalTransition, match="publishes no candidates"):
        publicity_start(actor=agency, lot_id=gp_reported.lot.pk)
    for outsider in (agency, regulator, gp_reported.bidders[0].actor):
        with pytest.raises(PermissionDenied):
            award_confirm(actor=outsider, lot_id=gp_reported.lot.pk)
    with pytest.raises(DomainError, match="record the reason"):
        award_confirm(actor=tenderer, lot_id=gp_reported.lot.pk, bid_id=Result.objects.get(
            committee=gp_reported.committee, rank=2).bid_id)
    assert not Award.objects.exists()

    award = award_confirm(actor=tenderer, lot_id=gp_reported.lot.pk)

    assert award.bid_id == first_ranked(gp_reported).bid_id and not award.deemed
    assert Committee.objects.get(pk=gp_reported.committee.pk).stage == "awarded"
    tender = Tender.objects.get(pk=gp_reported.lot.tender_id)
    assert tender.status == "awarded"
    actions = list(Event.objects.filter(tender_id=tender.pk, action__startswith="tender.").values_list("action",
                                                                                                     flat=True))
    assert "tender.awarded" in actions and "tender.candidates_published" not in actions
    seen = publicity_for(actor=ANONYMOUS, lot_id=gp_reported.lot.pk)  # the result announcement
    assert seen["gp"] and seen["award"]["bidder"] == award.bid.bidder.name and seen["ends_at"] > seen["starts_at"]
    with pytest.raises(IllegalTransition, match="7 working days"):
        objection_raise(actor=gp_reported.bidders[0].actor, lot_id=gp_reported.lot.pk, text="不服评审结果，请求复核。")
    with pytest.raises(IllegalTransition, match="already awarded"):
        award_confirm(actor=tenderer, lot_id=gp_reported.lot.pk)
    text = notice_text(award, tmp_path)
    assert "按评标报告推荐的顺序确定你单位为中标人" in text and "公示" not in text


def test_government_procurement_without_a_choice_in_time_deems_the_first_ranked_chosen(
        gp_reported, tenderer, clock_at, english, tmp_path):
    from evaluation.services.award import gp_award_advance, gp_awards_advance, gp_decision_due

    due = gp_decision_due(gp_reported.report)
    assert (due - gp_reported.report.completed_at) >= timedelta(days=5)  # 5 working days, then the day ends
    clock_at(due - timedelta(seconds=1))
    assert gp_award_advance(gp_reported.lot.pk) is None and not Award.objects.exists()
    clock_at(due)
    before = Event.objects.count()
    with pytest.raises(IllegalTransition, match="deemed chosen"):
        award_confirm(actor=tenderer, lot_id=gp_reported.lot.pk)
    assert Event.objects.count() == before and not Award.objects.exists()

    award = gp_award_advance(gp_reported.lot.pk)

    assert award.deemed and award.confirmed_by is None and award.bid_id == first_ranked(gp_reported).bid_id
    moved = Event.objects.get(action="evaluation.awarded")
    assert moved.data["deemed"] is True and moved.role == "gp-deemed-award" and moved.actor_id is None
    assert Tender.objects.get(pk=gp_reported.lot.tender_id).status == "awarded"
    assert gp_award_advance(gp_reported.lot.pk) is None and gp_awards_advance() == 0
    assert "视同确定排名第一的候选人为中标人" in notice_text(award, tmp_path)


def notice_text(award, tmp_path) -> str:
    award = award_notice_publish(award.pk)
    path = tmp_path / "notice.pdf"
    path.write_bytes(award.notice.read())
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


def test_the_purchaser_chooses_on_the_progress_page_and_the_result_is_announced(gp_reported, tenderer, agency):
    from django.urls import reverse

    from tests.witness.test_views import client_for

    progress = reverse("evaluation:progress", args=[gp_reported.lot.pk])
    confirm = reverse("evaluation:award_confirm", args=[gp_reported.lot.pk])
    own = client_for(tenderer).get(progress).content.decode()
    assert "The purchaser chooses the winner" in own and confirm in own
    theirs = client_for(agency).get(progress).content.decode()
    assert "The purchaser chooses the winner" in theirs and confirm not in theirs
    assert "Publish the candidates" not in theirs
    response = client_for(tenderer).post(confirm, {})
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:publicity",
                                                                           args=[gp_reported.lot.pk])
    page = client_for().get(response["Location"]).content.decode()
    assert "Award result" in page and first_ranked(gp_reported).bid.bidder.name in page
    assert "Raise the objection" not in page and "质疑" in page
