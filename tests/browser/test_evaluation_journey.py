"""Remote evaluation in Chromium, in Chinese, from the committee's forming to the signed report.

An expert declares on its own page that it has no conflict with the bidders; the agency forms the committee on
the progress page; members elect the leader; one expert reviews every bid (a fail is refused without its
reason) and scores every bid in the grid (an out-of-range score is refused and left out of the totals) while
the agency's progress page follows each submission live and never shows a score; the leader reads the summary,
records the committee's decisions on its findings and generates the report; every member signs it in the
browser with a one-time code from the mail (one with a dissent, one refusing), the platform signs last, and
Poppler's pdfsig finds every signature valid and trusted.

The other members' reviews and scores go through the services, run in the server's own thread (see the
``asgi_server`` fixture) so their live broadcasts reach the pages as a request's would."""

from __future__ import annotations

import importlib
import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from bidding.models import Opening
from bidding.services import opening as hall
from bidding.tasks import opening_record_render
from core import clock
from core.pdfsign import pdfsig_report
from evaluation.models import Committee, Flag, Report, ReviewMark, Score, Signature
from evaluation.services import committees, work
from evaluation.services.schemes import scheme_set
from evaluation.services.work import bids_under_evaluation, scored_criteria
from experts.models import ConflictDeclaration, Specialty
from experts.services.draws import BucketInput, DrawInput, draw_request, draw_run
from experts.services.responses import conflict_declare, expert_actor, invitation_confirm
from tests.bidding.conftest import bid_dirs, clock_at, open_tender  # noqa: F401  (fixtures)
from tests.bidding.test_opening import Bidder
from tests.browser.people import sign_in
from tests.evaluation.conftest import PRICES, scheme_input
from tests.factories import make_expert
from workdays.selectors import add_working_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEW_SHOT = "/tmp/evaluation-review.png"
SCORING_SHOT = "/tmp/evaluation-scoring.png"
SUMMARY_SHOT = "/tmp/evaluation-summary.png"
SIGNING_SHOT = "/tmp/evaluation-signing.png"
FAIL_REASON = "营业执照副本已过有效期"
DECISION = "经评标委员会复核，该投标报价有成本分析支撑，评分理由充分，维持评审结论。"
DISSENT = "第二名投标人的施工组织设计评分偏高，本人不同意推荐排序。"


@pytest.fixture(autouse=True)
def _evaluation_in_the_past(monkeypatch):
    """pdfsig checks a member's certificate at the real time and the certificate is dated from the platform
    clock: so the tender was published 30 days ago and the evaluation happened in the past."""
    start = timezone.now() - timedelta(days=30)
    monkeypatch.setattr(clock, "now", lambda: start)


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return gettext(msgid)


def drawn_lot(open_tender, clock_at, agency, monkeypatch):  # noqa: F811
    """tests/evaluation/conftest.py's `ready`, except that the first seated expert has not declared yet. Run in
    the server's thread: what runs after commit there is what a request would run (and may use asyncio, which
    cannot run in this thread while Playwright's loop does)."""
    # A transactional test before this one flushed every table, the migrated specialty tree included.
    importlib.import_module("experts.migrations.0002_seed_specialties").seed(apps, None)
    lot = open_tender.lots.get()
    scheme_set(actor=agency, lot_id=lot.pk, data=scheme_input())
    bidders = [Bidder(p) for p in PRICES]
    for b in bidders:
        b.submit(lot)
    deadline = open_tender.bid_deadline
    clock_at(deadline)
    hall.opening_for(actor=agency, lot_id=lot.pk)
    hall.decryption_start(actor=agency, lot_id=lot.pk)
    for b in bidders:
        hall.key_release(actor=b.actor, lot_id=lot.pk, data_key=b.data_key())
    # The opening record's rendering is tested in tests/bidding/test_opening_record.py; here only its
    # publication matters (rendering and signing it would add seconds).
    with monkeypatch.context() as patch:
        patch.setattr(opening_record_render, "delay", lambda *args, **kwargs: None)
        for b in bidders:
            hall.readout_respond(actor=b.actor, lot_id=lot.pk)
    Opening.objects.filter(lot=lot).update(record_published_at=deadline + timedelta(minutes=20),
                                           record_sha256="0" * 64)
    for _ in range(6):
        make_expert(specialties=["SZ01"])
    for _ in range(2):
        make_expert(specialties=["ZJ"])
    codes = dict(Specialty.objects.values_list("code", "pk"))
    evaluation_at = timezone.make_aware(datetime.combine(add_working_days(timezone.localtime(deadline).date(), 1),
                                                         time(9, 30)))
    draw = draw_run(actor=agency, draw=draw_request(actor=agency, data=DrawInput(
        lot_id=lot.pk, evaluation_at=evaluation_at, committee_size=5, evaluation_place="青溪县公共资源交易中心远程评标室",
        buckets=[BucketInput(codes["SZ01"], 4), BucketInput(codes["ZJ"], 1)])))
    seated = list(draw.selections.select_related("expert__user").order_by("sequence"))
    for s in seated:
        invitation_confirm(actor=expert_actor(s), selection=s)
    for s in seated[1:]:
        conflict_declare(actor=expert_actor(s), selection=s, has_conflict=False)
    return lot, bidders, seated, [expert_actor(s) for s in seated]


def following(page) -> None:
    """Wait until the page follows the evaluation live, and mark the document (the mark is gone on a reload)."""
    page.wait_for_selector("#progress-link.badge-live, #eval-link.badge-live")
    page.evaluate("window.__sameDocument = true")


def wait_ticks(page, step: str, n: int) -> None:
    page.wait_for_function(
        "([step, n]) => [...document.querySelectorAll(`#progress-members td[data-step='${step}']`)]"
        ".filter(td => td.textContent.trim() === '✔').length === n", arg=[step, n])


def say_contains(page, text: str) -> None:
    page.wait_for_function("text => document.querySelector('#eval-say.msg-error')?.textContent.includes(text)",
                           arg=text)


def code_from_mail(mailoutbox, user) -> str:
    message = next(m for m in reversed(mailoutbox) if m.to == [user.email])
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_an_expert_reviews_scores_and_every_member_signs_the_report_in_the_browser(
        asgi_server, new_page, open_tender, bid_dirs, clock_at, agency, mailoutbox, monkeypatch):  # noqa: F811
    server = asgi_server.url
    lot, bidders, seated, experts = asgi_server.run(lambda: drawn_lot(open_tender, clock_at, agency, monkeypatch))
    me = experts[0]  # the expert who does everything in the browser, elected leader

    # An expert opens its own page, sees the bidders and declares that it has no conflict with any of them.
    pages = {}
    page = pages[1] = new_page()
    sign_in(page, asgi_server, me.user)
    page.goto(f"{server}/experts/me/")
    card = page.locator(".invitation", has=page.locator(f"form[action='/experts/invitations/{seated[0].pk}/declare/']"))
    for b in bidders:
        assert b.actor.organisation.name in card.inner_text()
    card.locator("input[name=has_conflict][value=no]").check()
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert zh("You declared no conflict.") in page.locator(".invitation").first.inner_text()
    assert ConflictDeclaration.objects.get(selection=seated[0]).has_conflict is False

    # The agency forms the committee on the progress page, and keeps watching it.
    agency_page = new_page()
    frames = []
    agency_page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)))
    sign_in(agency_page, asgi_server, agency.user)
    progress_url = f"{server}/evaluation/lots/{lot.pk}/"
    agency_page.goto(progress_url)
    agency_page.locator(f"form[action='/evaluation/lots/{lot.pk}/form/'] button[type=submit]").click()
    agency_page.wait_for_selector("#progress-members")
    following(agency_page)
    committee = Committee.objects.get(lot=lot)
    assert committee.stage == "electing" and committee.members.count() == 5
    names = [m.name for m in committee.members.all()]
    assert not any(n in agency_page.content() for n in names), "the agency sees seats, not names"

    # Members vote for the leader: two in the browser, the others through the service.
    workspace = f"{server}/evaluation/lots/{lot.pk}/work/"
    leader = committee.members.get(user=me.user)
    pages[2] = new_page()
    sign_in(pages[2], asgi_server, experts[1].user)
    for position in (1, 2):
        p = pages[position]
        p.goto(workspace)
        p.wait_for_selector("#eval-link.badge-live")
        p.locator(f"#vote-form input[name=candidate][value='{leader.pk}']").check()
        p.locator("#vote-form button[type=submit]").click()
        p.wait_for_selector("#vote-form", state="detached")
        following(p)
    wait_ticks(agency_page, "voted", 2)
    assert agency_page.evaluate("window.__sameDocument") is True
    for actor in experts[2:]:
        asgi_server.run(lambda a=actor: committees.leader_vote(actor=a, lot_id=lot.pk, candidate_id=leader.pk))
    # The last vote elects the leader and moves the evaluation on: both pages follow.
    page.wait_for_selector("#review-h")
    agency_page.wait_for_selector("#progress-stage.badge-reviewing")
    following(agency_page)

    # The review: pass or fail each requirement for each bid, saved as it is chosen.
    rows = page.locator(".review-row")
    requirements = list(committee.lot.scheme.requirements.order_by("position"))
    opened = bids_under_evaluation(committee)
    assert rows.count() == len(requirements) * len(opened)
    failing = page.locator(f".review-row[data-bid='{opened[1].bid_id}'][data-requirement='{requirements[0].pk}']")
    for i in range(rows.count()):
        row = rows.nth(i)
        if row.get_attribute("data-bid") == str(opened[1].bid_id) and \
                row.get_attribute("data-requirement") == str(requirements[0].pk):
            continue
        row.locator("input[type=radio][value='1']").check()
        row.locator(".save-state").filter(has_text="✔").wait_for()
    # A fail without its reason is refused in the page and not saved …
    failing.locator("input[type=radio][value='0']").check()
    failing.locator(".reason.invalid").wait_for()
    assert zh("A fail needs its reason: write it and the fail is saved.") in failing.inner_text()
    assert page.locator("#eval-say.msg-error").is_visible()
    page.screenshot(path=REVIEW_SHOT, full_page=True)
    assert not ReviewMark.objects.filter(bid_id=opened[1].bid_id, requirement=requirements[0]).exists()
    # … and submitting now is refused too, saying why.
    page.locator(".submit-step[data-step=review]").click()
    say_contains(page, zh("Some fails have no reason yet and are not saved: give each its reason before submitting."))
    assert not committee.members.get(pk=leader.pk).sheets.filter(submitted_at__isnull=False).exists()
    # With the reason it is saved.
    failing.locator(".reason").fill(FAIL_REASON)
    failing.locator(".reason").press("Tab")
    failing.locator(".save-state").filter(has_text="✔").wait_for()
    mark = ReviewMark.objects.get(bid_id=opened[1].bid_id, requirement=requirements[0])
    assert mark.passed is False and mark.reason == FAIL_REASON
    page.locator(".submit-step[data-step=review]").click()
    page.wait_for_selector("#review-h ~ .msg-success")  # submitted and locked
    assert page.locator(".review-row input[type=radio]:not([disabled])").count() == 0
    # The agency sees the submission arrive, live.
    wait_ticks(agency_page, "review", 1)

    # The other members review through the service; the agency's page follows each.
    for n, actor in enumerate(experts[1:], start=2):
        def review(a=actor):
            for o in opened:
                for req in requirements:
                    work.review_mark(actor=a, lot_id=lot.pk, bid_id=o.bid_id, requirement_id=req.pk, passed=True)
            work.sheet_submit(actor=a, lot_id=lot.pk, step="review")
        asgi_server.run(review)
        if n < 5:
            wait_ticks(agency_page, "review", n)
            assert agency_page.evaluate("window.__sameDocument") is True
    page.wait_for_selector("#scoring-h")
    agency_page.wait_for_selector("#progress-stage.badge-scoring")
    following(agency_page)
    committee.refresh_from_db()
    assert committee.stage == "scoring"

    # Scoring: the expert types its scores in the grid; each is saved and the totals follow.
    criteria = scored_criteria(leader, committee)
    grid_bids = [int(b) for b in page.locator(".score-grid tfoot .total").evaluate_all(
        "cells => cells.map(c => c.dataset.bid)")]
    assert grid_bids == [o.bid_id for o in opened]
    mine = {}
    for i, bid in enumerate(grid_bids):
        for c in criteria:
            value = c.max_points * Decimal("0.8") if c.kind == "objective" else c.max_points - 5 - 2 * i
            mine[(bid, c)] = value
    subjective = next(c for c in criteria if c.kind == "subjective")

    def cell(bid, criterion):
        return page.locator(f".score-input[data-bid='{bid}'][data-criterion='{criterion.pk}']")

    # An out-of-range score gets a visible error, is not saved and stays out of the totals.
    too_many = cell(grid_bids[0], subjective)
    too_many.fill(str(subjective.max_points + 5))
    too_many.press("Tab")
    page.locator(".score-input.invalid").wait_for()
    say_contains(page, subjective.name)  # "施工组织设计: 45 is outside its range, 0 to 40.00.", in the page's language
    say = page.locator("#eval-say")
    assert say.is_visible() and str(subjective.max_points) in say.inner_text()
    assert not Score.objects.filter(bid_id=grid_bids[0], criterion=subjective).exists()
    assert page.locator(f".score-grid .total[data-bid='{grid_bids[0]}']").inner_text() == "0.00"
    page.locator(".submit-step[data-step=scoring]").click()  # nor can the sheet be submitted with it
    say_contains(page, zh("Some scores are marked in red and are not saved: correct them before submitting."))
    for (bid, c), value in mine.items():
        cell(bid, c).fill(str(value.normalize()))
        cell(bid, c).press("Tab")
        page.wait_for_function("([sel, v]) => document.querySelector(sel).value === v",
                               arg=[f".score-input[data-bid='{bid}'][data-criterion='{c.pk}']", f"{value:.2f}"])
    assert page.locator(".score-input.invalid").count() == 0
    for bid in grid_bids:
        expected = sum(v for (b, _), v in mine.items() if b == bid)
        assert page.locator(f".score-grid .total[data-bid='{bid}']").inner_text() == f"{expected:.2f}"
    assert Score.objects.filter(sheet__member=leader).count() == len(mine)
    page.screenshot(path=SCORING_SHOT, full_page=True)
    page.locator(".submit-step[data-step=scoring]").click()
    page.wait_for_selector(".score-input[disabled]")
    wait_ticks(agency_page, "scoring", 1)

    # The others score through the service: member 5 far below the others on the second bid.
    for n, actor in enumerate(experts[1:], start=2):
        def score(a=actor, n=n):
            member = committee.members.get(user=a.user)
            for i, o in enumerate(opened):
                for c in scored_criteria(member, committee):
                    points = Decimal("0") if (n, i) == (5, 1) else c.max_points * Decimal("0.8")
                    work.score_save(actor=a, lot_id=lot.pk, bid_id=o.bid_id, criterion_id=c.pk, points=points)
            work.sheet_submit(actor=a, lot_id=lot.pk, step="scoring")
        asgi_server.run(score)
        if n < 5:
            wait_ticks(agency_page, "scoring", n)
            # Who has submitted, never a score: not in the page, not on the wire.
            assert agency_page.evaluate("window.__sameDocument") is True
            assert agency_page.locator("#res-h").count() == 0
            assert not any(f"{v:.2f}" in agency_page.inner_text("main") for v in mine.values() if v > 20)
    assert frames and not any(re.search(r'"(points|total|results|price_score|scores)"', f) for f in frames), frames

    # The summary: the leader sees the results, the ranking and the findings that need a decision.
    page.wait_for_selector("#results-h")
    agency_page.wait_for_selector("#res-h")  # and now the agency sees the result
    committee.refresh_from_db()
    assert committee.stage == "summary"
    ranked = list(committee.results.filter(rank__isnull=False).order_by("rank").select_related("bid__bidder"))
    assert [r.rank for r in ranked] == [1, 2, 3]
    summary_rows = page.locator("#results-h + .table-wrap tbody tr")
    for r, text in zip(ranked, summary_rows.all_inner_texts()):
        assert text.startswith(str(r.rank)) and r.bid.bidder.name in text and f"{r.total:.2f}" in text
    flags = list(Flag.objects.filter(committee=committee))
    assert any(f.kind == "deviation" for f in flags)
    assert page.locator(".flag-form").count() == len(flags)
    assert page.locator("form[action$='/report/'] button[type=submit]").is_disabled()
    page.screenshot(path=SUMMARY_SHOT, full_page=True)

    # The leader records the committee's decision on each finding, then generates the report.
    for left in range(len(flags), 0, -1):
        form = page.locator(".flag-form").first
        form.locator("textarea").fill(DECISION)
        form.locator("button[type=submit]").click()
        expect(page.locator(".flag-form")).to_have_count(left - 1)  # recorded, and the page reloaded
    assert page.locator("#results-h ~ ul.plain-list").inner_text().count(DECISION) == len(flags)
    assert not Flag.objects.filter(committee=committee, decided_at__isnull=True).exists()
    page.locator("form[action$='/report/'] button[type=submit]").click()
    page.wait_for_selector("#sign-form")
    page.screenshot(path=SIGNING_SHOT, full_page=True)
    committee.refresh_from_db()
    assert committee.stage == "signing"

    # Every member signs in the browser: member 2 with a dissent, member 3 refuses; the last completes it.
    plan = {1: ("agree", ""), 2: ("dissent", DISSENT), 3: ("refused", ""), 4: ("agree", ""), 5: ("agree", "")}
    for position, (kind, dissent) in plan.items():
        actor = experts[position - 1]
        p = pages.get(position)
        if p is None:
            p = pages[position] = new_page()
            sign_in(p, asgi_server, actor.user)
        p.goto(workspace)
        with p.expect_navigation():
            p.locator(f"form[action='/evaluation/lots/{lot.pk}/report/code/'] button[type=submit]").click()
        p.fill("#sign-code", code_from_mail(mailoutbox, actor.user))
        p.locator(f"#sign-form input[name=kind][value={kind}]").check()
        if dissent:
            p.fill("#sign-dissent", dissent)
        p.locator("#sign-form button[type=submit]").click()
        p.wait_for_selector("#sign-h ~ .msg-success")  # the signature (or the refusal) and its time
        assert Signature.objects.get(member__committee=committee, member__position=position).kind == kind
    committee.refresh_from_db()
    assert committee.stage == "reported"
    report = Report.objects.get(committee=committee)
    assert report.completed_at is not None

    # The final PDF, as a member downloads it, carries every signature, each valid and trusted.
    response = pages[1].context.request.get(f"{server}/evaluation/lots/{lot.pk}/report.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    checked = pdfsig_report(pdf)
    fields = [s["field_name"] for s in checked["signatures"]]
    assert fields == ["Member1", "Member2", "Member4", "Member5", "Platform"], checked["output"]
    assert all(s["valid"] and s["trusted"] for s in checked["signatures"]), checked["output"]
    assert checked["signatures"][-1]["total_document"]
