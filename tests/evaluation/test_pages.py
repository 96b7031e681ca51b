"""Evaluation pages and API: the workspace for members only, progress without names or scores for the parties,
the scheme form, drafts saved through the API, the witnessed file download."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.models import Committee, Scheme
from evaluation.services.work import bids_under_evaluation, scored_criteria
from tests.evaluation.test_flow import elect, review_all
from tests.factories import actor_of, make_tender
from tests.witness.test_views import client_for
from witness.models import Event

pytestmark = pytest.mark.django_db


def test_the_workspace_is_for_members_only(formed, agency, regulator):
    url = reverse("evaluation:workspace", args=[formed.lot.pk])
    page = client_for(formed.experts[0]).get(url)
    assert page.status_code == 200 and "vote-form" in page.content.decode()
    for outsider in (agency, regulator, formed.bidders[0].actor, actor_of("bidder")):
        assert client_for(outsider).get(url).status_code == 404


def test_progress_shows_seats_not_names_to_the_parties_and_names_to_the_regulator(formed, agency, regulator):
    url = reverse("evaluation:progress", args=[formed.lot.pk])
    names = list(formed.committee.members.values_list("name", flat=True))
    party = client_for(agency).get(url).content.decode()
    assert not any(n in party for n in names) and "Member 1" in party
    official = client_for(regulator).get(url).content.decode()
    assert all(n in official for n in names)
    assert client_for(formed.bidders[0].actor).get(url).status_code == 404


def test_drafts_are_saved_through_the_api_and_a_bad_score_is_refused_in_the_users_words(formed):
    elect(formed)
    review_all(formed)
    committee = Committee.objects.get(pk=formed.committee.pk)
    client = client_for(formed.experts[0])
    member = committee.members.get(user=formed.experts[0].user)
    criterion = scored_criteria(member, committee)[0]
    bid = bids_under_evaluation(committee)[0].bid_id
    api = reverse("api:evaluation_score", args=[formed.lot.pk])
    ok = client.post(api, {"bid": bid, "criterion": criterion.pk, "points": "31.5"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["points"] == "31.50"
    bad = client.post(api, {"bid": bid, "criterion": criterion.pk, "points": str(criterion.max_points + 1)},
                      content_type="application/json")
    assert bad.status_code == 400 and "points" in bad.json()["fields"]
    page = client.get(reverse("evaluation:workspace", args=[formed.lot.pk])).content.decode()
    assert 'value="31.50"' in page
    incomplete = client.post(reverse("api:evaluation_submit", args=[formed.lot.pk]), {"step": "scoring"},
                             content_type="application/json")
    assert incomplete.status_code == 400 and incomplete.json()["code"] == "incomplete"


def test_the_scoring_page_costs_a_constant_number_of_queries(formed, django_assert_max_num_queries):
    elect(formed)
    review_all(formed)
    client = client_for(formed.experts[0])
    url = reverse("evaluation:workspace", args=[formed.lot.pk])
    client.get(url)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200


def test_a_bid_file_download_is_decrypted_and_witnessed(formed):
    elect(formed)
    opened = bids_under_evaluation(formed.committee)[0]
    bidder = next(b for b in formed.bidders if b.bid.pk == opened.bid_id)
    response = client_for(formed.experts[1]).get(reverse("evaluation:bid_file", args=[formed.lot.pk, opened.bid_id, 1]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == bidder.files[0][1]
    assert Event.objects.filter(action="evaluation.bid_file_read").exists()


def test_the_operator_sets_the_scheme_in_the_form_before_the_deadline(agency, tenderer, centre, english):

    tender = make_tender(agency=agency, tenderer=tenderer.organisation)
    lot = tender.lots.get()
    client = client_for(agency)
    url = reverse("evaluation:scheme", args=[lot.pk])
    assert client.get(url).status_code == 200
    post = {"method": "comprehensive", "procurement_kind": "works", "price_formula": "gp_lowest", "tie_rule": "lottery",
            "req-count": "1", "req-0-name": "资质符合要求", "req-0-kind": "qualification",
            "crit-count": "3", "crit-0-name": "报价", "crit-0-max_points": "40", "crit-0-kind": "price",
            "crit-0-scored_by": "all", "crit-1-name": "施工方案", "crit-1-max_points": "40", "crit-1-kind": "subjective",
            "crit-1-scored_by": "technical", "crit-2-name": "业绩", "crit-2-max_points": "10", "crit-2-kind": "objective",
            "crit-2-scored_by": "all"}
    refused = client.post(url, post)
    assert refused.status_code == 200 and "100" in refused.content.decode() and not Scheme.objects.exists()
    post["crit-2-max_points"] = "20"
    assert client.post(url, post).status_code == 302
    scheme = Scheme.objects.get()
    assert [c.max_points for c in scheme.criteria.order_by("position")] == [Decimal("40"), Decimal("40"), Decimal("20")]
    assert client_for(actor_of("agency")).get(url).status_code == 404


def test_the_tender_page_links_each_party_to_its_evaluation_page(formed, agency, regulator):
    detail = reverse("bidding:tender_detail", args=[formed.lot.tender_id])
    assert reverse("evaluation:progress", args=[formed.lot.pk]) in client_for(agency).get(detail).content.decode()
    assert reverse("evaluation:workspace", args=[formed.lot.pk]) in \
        client_for(formed.experts[0]).get(detail).content.decode()
    assert re.search(r"evaluation/lots/\d+/", client_for(regulator).get(detail).content.decode())


def test_publicity_objection_answer_and_award_through_the_pages(formed, agency, tenderer, clock_at,
                                                                django_capture_on_commit_callbacks):
    from evaluation.models import Award, AwardObjection
    from tests.evaluation.test_award import reach_reported

    reach_reported(formed)
    lot = formed.lot
    assert client_for(agency).post(reverse("evaluation:publicity_start", args=[lot.pk])).status_code == 302
    url = reverse("evaluation:publicity", args=[lot.pk])
    public = client_for().get(url)
    assert public.status_code == 200
    names = list(formed.committee.members.values_list("name", flat=True))
    assert not any(n in public.content.decode() for n in names)
    loser = formed.bidders[1]
    client_for(loser.actor).post(reverse("evaluation:objection_raise", args=[lot.pk]), {"text": "第一名业绩不实"})
    objection = AwardObjection.objects.get()
    publicity = lot.publicity
    clock_at(publicity.ends_at + timedelta(minutes=1))
    client_for(tenderer).post(reverse("evaluation:award_confirm", args=[lot.pk]))
    assert not Award.objects.exists(), "paused while the objection is open"
    client_for(agency).post(reverse("evaluation:objection_answer", args=[lot.pk, objection.pk]),
                            {"answer": "经核查，第一名业绩真实有效。"})
    with django_capture_on_commit_callbacks(execute=True):
        client_for(tenderer).post(reverse("evaluation:award_confirm", args=[lot.pk]))
    award = Award.objects.get()
    assert award.notice
    winner = next(b for b in formed.bidders if b.bid.pk == award.bid_id)
    assert client_for(winner.actor).get(reverse("evaluation:award_notice", args=[lot.pk])).status_code == 200
    assert client_for(loser.actor).get(reverse("evaluation:award_notice", args=[lot.pk])).status_code == 404
    page = client_for().get(url).content.decode()
    assert winner.actor.organisation.name in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_findings_name_the_bidder_and_amounts_in_the_readers_language(formed, language):
    from tests.evaluation.test_flow import score_all

    from core.templatetags.platform import format_yuan
    from evaluation.models import Flag, Result

    elect(formed)
    review_all(formed)
    score_all(formed, lambda m, i, c: Decimal("0") if (m, i) == (5, 1) else c.max_points * Decimal("0.8"))
    committee = Committee.objects.get(pk=formed.committee.pk)
    deviation = Flag.objects.filter(committee=committee, kind="deviation").select_related("bid__bidder").first()
    cheapest = Result.objects.filter(committee=committee).order_by("price").select_related("bid__bidder").first()
    Flag.objects.create(committee=committee, kind="abnormally_low", bid=cheapest.bid,
                        detail={"reasons": ["below_ceiling"], "message": f"Bid {cheapest.bid_id} ..."})
    client = client_for(formed.experts[0])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    page = client.get(reverse("evaluation:workspace", args=[formed.lot.pk])).content.decode()
    findings = page[page.index('<ul class="plain-list">'):]
    findings = findings[:findings.index("</ul>")]
    assert f"Bid {cheapest.bid_id}" not in findings and f"bid {deviation.bid_id}" not in findings
    assert cheapest.bid.bidder.name in findings and format_yuan(cheapest.price) in findings
    assert format_yuan(formed.lot.ceiling_price) in findings
    if language == "en":
        assert "may be abnormally low" in findings and "below 45% of the ceiling price" in findings
        assert f"Member 5&#x27;s points for {deviation.bid.bidder.name}" in findings
    else:
        assert "可能为异常低价" in findings and "低于最高投标限价" in findings
        assert f"5 号成员对{deviation.bid.bidder.name}的评分" in findings


def test_the_workspace_lists_the_sealed_files_without_fetching_the_envelopes(formed, tmp_path):
    """The part list is kept on the bid at submission: with the envelopes out of reach (as an object store
    would charge a download for each), the page still lists every file with its size."""
    import shutil

    from bidding.models import Bid

    elect(formed)
    bids = list(Bid.objects.filter(lot=formed.lot, status="submitted"))
    for bid in bids:
        bidder = next(b for b in formed.bidders if b.bid.pk == bid.pk)
        assert [(p["name"], p["size"]) for p in bid.parts[1:]] == [(n, len(d)) for n, d in bidder.files]
    moved = []
    for bid in bids:
        path = bid.envelope.path
        shutil.move(path, tmp_path / str(bid.pk))
        moved.append((tmp_path / str(bid.pk), path))
    try:
        page = client_for(formed.experts[0]).get(reverse("evaluation:workspace", args=[formed.lot.pk]))
        assert page.status_code == 200
        assert page.content.decode().count(formed.bidders[0].files[0][0]) >= len(bids)
    finally:
        for source, path in moved:
            shutil.move(source, path)
