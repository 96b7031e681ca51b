"""The arithmetic of evaluation: price formulas on worked examples, the scheme's GP constraints, aggregation
and ranking as properties, and the flags that need a committee decision. No database."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from core import lottery
from core.errors import DomainError
from evaluation import scoring
from evaluation.scoring import CriterionSpec

GP = scoring.PRICE_FORMULAS["gp_lowest"]
WORKS = scoring.PRICE_FORMULAS["works_trimmed_mean"]
SEED = bytes(range(32))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- gp_lowest (RULES M1) ---------------------------------------------------------------------------------

def test_gp_lowest_gives_the_lowest_compliant_bid_the_full_weight_and_the_others_base_over_price():
    # given three compliant bids and a price criterion worth 30 points
    prices = {1: D("90"), 2: D("100"), 3: D("120"), 4: D("110")}
    # when scored
    points = GP.score(prices, weight=D(30))
    # then the lowest (the base itself) gets 30, the others 90 ÷ price × 30
    assert points == {1: D("30.00"), 2: D("27.00"), 3: D("22.50"), 4: D("24.55")}  # 24.5454… rounds to 24.55
    assert GP.base_price(prices) == D("90")


def test_gp_lowest_bid_equal_to_the_base_scores_full_and_equal_prices_score_equal():
    points = GP.score({1: D("90"), 2: D("90.00"), 3: D("135")}, weight=D(40))
    assert points == {1: D("40.00"), 2: D("40.00"), 3: D("26.67")}


def test_gp_lowest_a_non_compliant_lowest_bid_does_not_set_the_base():
    all_bids = {1: D("80"), 2: D("90"), 3: D("100"), 4: D("120")}
    compliant = {bid: p for bid, p in all_bids.items() if bid != 1}  # bid 1 failed the compliance review
    points = GP.score(compliant, weight=D(30))
    assert 1 not in points
    assert points == {2: D("30.00"), 3: D("27.00"), 4: D("22.50")}
    assert GP.score(all_bids, weight=D(30))[3] == D("24.00")  # what it would wrongly be with bid 1's 80


def test_gp_lowest_rounds_half_up():
    # 100 ÷ 1600 × 10 = 0.625 exactly: half up gives 0.63 (banker's rounding would give 0.62)
    assert GP.score({1: D("100"), 2: D("1600")}, weight=D(10))[2] == D("0.63")


def test_price_formulas_refuse_bad_input():
    assert GP.score({}, weight=D(30)) == {}
    with pytest.raises(DomainError):
        GP.score({1: D("0")}, weight=D(30))
    with pytest.raises(DomainError):
        GP.score({1: D("10")}, weight=D(0))
    with pytest.raises(DomainError):
        GP.score({1: D("10")}, weight=D(30), params={"float_percent": 3})  # gp_lowest takes no parameters
    with pytest.raises(DomainError):
        scoring.formula_for("average_of_everything")
    assert scoring.formula_for("gp_lowest") is GP


# --- works_trimmed_mean (RULES M3) ------------------------------------------------------------------------

FIVE = {1: D("90"), 2: D("95"), 3: D("100"), 4: D("105"), 5: D("110")}


def test_works_trimmed_mean_drops_the_extremes_and_deducts_more_above_than_below():
    # given five bids (enough to trim), no float, 1 point per 1 % above and 0.5 below, 60 points
    assert WORKS.base_price(FIVE) == D("100.00")  # (95 + 100 + 105) ÷ 3
    points = WORKS.score(FIVE, weight=D(60))
    assert points == {
        3: D("60.00"),  # equal to the base: nothing deducted
        2: D("57.50"),  # 5 % below × 0.5
        4: D("55.00"),  # 5 % above × 1
        1: D("55.00"),  # 10 % below × 0.5
        5: D("50.00"),  # 10 % above × 1
    }


def test_works_trimmed_mean_with_a_float_and_real_prices():
    prices = {1: D("880000"), 2: D("900000"), 3: D("920000"), 4: D("950000"), 5: D("1000000"), 6: D("1200000")}
    params = {"float_percent": "3", "above_per_percent": "1", "below_per_percent": "0.5"}
    # drop 880000 and 1200000: mean 942500, × 0.97 = 914225.00
    assert WORKS.base_price(prices, params=params) == D("914225.00")
    points = WORKS.score(prices, weight=D(60), params=params)
    assert points[3] == D("59.37")  # 5775 ÷ 914225 = 0.6317 % above
    assert points[2] == D("59.22")  # 14225 ÷ 914225 = 1.5560 % below × 0.5 = 0.778
    assert points[6] == D("28.74")  # 31.2586 % above


def test_works_trimmed_mean_a_non_compliant_lowest_bid_leaves_too_few_to_trim():
    compliant = {bid: p for bid, p in FIVE.items() if bid != 1}
    # four bids: below min_bids_to_trim (5), so all are averaged: (95 + 100 + 105 + 110) ÷ 4
    assert WORKS.base_price(compliant) == D("102.50")
    points = WORKS.score(compliant, weight=D(60))
    assert 1 not in points
    assert points[3] == D("58.78")  # 2.439 % below × 0.5 = 1.2195


def test_works_trimmed_mean_equal_prices_score_equal_and_the_floor_holds():
    prices = {**FIVE, 6: D("105")}  # 6 bids: 90 and 110 dropped, mean of 95, 100, 105, 105 = 101.25
    points = WORKS.score(prices, weight=D(60), params={"above_per_percent": 10})
    assert points[4] == points[6]
    assert WORKS.score(FIVE, weight=D(60), params={"above_per_percent": 10})[5] == D("0.00")  # 60 − 100 → 0
    assert WORKS.score(FIVE, weight=D(60), params={"above_per_percent": 10, "floor": 12})[5] == D("12.00")


def test_works_trimmed_mean_can_drop_two_at_each_end():
    prices = {n: D(p) for n, p in enumerate([70, 80, 95, 100, 105, 120, 130], start=1)}
    params = {"min_bids_to_trim": 7, "trim_count": 2}
    assert WORKS.base_price(prices, params=params) == D("100.00")
    assert WORKS.base_price(prices, params={"min_bids_to_trim": 8, "trim_count": 2}) == D("100.00")  # 700 ÷ 7


def test_works_trimmed_mean_parameters_are_validated():
    assert WORKS.validate({}, category="works", price_weight=D(60)) == []
    assert WORKS.validate({"float_percent": "-1"}, category="works", price_weight=D(60))
    assert WORKS.validate({"trim_count": "1.5"}, category="works", price_weight=D(60))
    assert WORKS.validate({"min_bids_to_trim": 4, "trim_count": 2}, category="works", price_weight=D(60))
    assert WORKS.validate({"floor": 70}, category="works", price_weight=D(60))
    assert WORKS.validate({"colour": "red"}, category="works", price_weight=D(60))
    with pytest.raises(DomainError):
        WORKS.score(FIVE, weight=D(60), params={"above_per_percent": "lots"})
    with pytest.raises(DomainError):
        WORKS.score(FIVE, weight=D(10), params={"floor": 12})  # a floor above the weight
    assert WORKS.validate(["float_percent", 3], category="works", price_weight=D(60))


# --- the scheme (RULES M2) --------------------------------------------------------------------------------

def _criteria(price: str, *others: str):
    return [CriterionSpec(name="price", max_points=D(price), kind="price"),
            *[CriterionSpec(name=f"c{n}", max_points=D(p)) for n, p in enumerate(others)]]


def _gp(kind, criteria, formula="gp_lowest", **kw):
    return scoring.scheme_errors(category="government", method="comprehensive", procurement_kind=kind,
                                 criteria=criteria, formula=formula, params={}, **kw)


def test_gp_goods_need_a_price_weight_of_30_percent():
    assert _gp("goods", _criteria("30", "50", "20")) == []
    errors = _gp("goods", _criteria("29.99", "50.01", "20"))
    assert len(errors) == 1 and "at least 30%" in errors[0]


def test_gp_services_need_a_price_weight_of_10_percent():
    assert _gp("services", _criteria("10", "90")) == []
    assert "at least 10%" in _gp("services", _criteria("9", "91"))[0]


def test_gp_consultation_also_caps_the_price_weight():
    assert _gp("goods", _criteria("60", "40"), procurement_method="consultation") == []
    assert "at most 60%" in _gp("goods", _criteria("61", "39"), procurement_method="consultation")[0]
    assert "at most 30%" in _gp("services", _criteria("31", "69"), procurement_method="consultation")[0]
    assert _gp("goods", _criteria("61", "39")) == []  # open tendering: no cap


def test_gp_refuses_an_average_price_base():
    errors = _gp("goods", _criteria("30", "70"), formula="works_trimmed_mean")
    assert any("average-price base" in e for e in errors)
    works = scoring.scheme_errors(category="works", method="comprehensive", criteria=_criteria("60", "40"),
                                  formula="works_trimmed_mean", params={"float_percent": 3})
    assert works == []


def test_a_comprehensive_scheme_is_out_of_100_with_one_price_criterion_and_positive_maxima():
    assert any("out of 100" in e for e in _gp("goods", _criteria("30", "60")))
    assert any("exactly one price criterion" in e for e in _gp("goods", _criteria("30", "70")[1:]))
    two_prices = _criteria("30", "40") + [CriterionSpec(name="price 2", max_points=D(30), kind="price")]
    assert any("exactly one price criterion" in e for e in _gp("goods", two_prices))
    assert any("more than 0" in e for e in _gp("goods", _criteria("30", "70", "0")))
    assert any("same name" in e for e in _gp("goods", _criteria("30", "35") + [CriterionSpec("c0", D(35))]))
    assert any("price formula" in e for e in _gp("goods", _criteria("30", "70"), formula=""))
    assert any("Unknown price formula" in e for e in _gp("goods", _criteria("30", "70"), formula="nope"))
    assert any("goods, services or works" in e for e in _gp("", _criteria("30", "70")))


def test_the_lowest_price_method_has_no_scored_criteria():
    assert scoring.scheme_errors(category="government", method="lowest_price", criteria=[], formula="",
                                 procurement_kind="goods") == []
    assert scoring.scheme_errors(category="works", method="lowest_price", criteria=_criteria("30", "70"),
                                 formula="gp_lowest")
    assert scoring.scheme_errors(category="works", method="best_friend", criteria=[], formula="")


def test_evaluated_prices_add_the_recorded_adjustments():
    adj = {2: [scoring.Adjustment(amount=D("1500"), reason="missing item priced at the highest bid's rate")]}
    assert scoring.evaluated_prices({1: D("10000"), 2: D("9000")}, adj) == {1: D("10000.00"), 2: D("10500.00")}
    with pytest.raises(DomainError):
        scoring.evaluated_prices({1: D("10000")}, {1: [scoring.Adjustment(amount=D("-1"), reason=" ")]})
    with pytest.raises(DomainError):
        scoring.evaluated_prices({1: D("10000")}, {1: [scoring.Adjustment(amount=D("-10000"), reason="x")]})
    with pytest.raises(DomainError):
        scoring.evaluated_prices({1: D("10000")}, {9: [scoring.Adjustment(amount=D("1"), reason="x")]})


# --- points and sheets ------------------------------------------------------------------------------------

def test_check_points_refuses_out_of_range_and_more_than_two_decimals():
    c = CriterionSpec(name="design", max_points=D("20"))
    assert scoring.check_points(c, D("0")) is None
    assert scoring.check_points(c, "20") is None
    assert scoring.check_points(c, D("12.50")) is None
    assert scoring.check_points(c, D("12.500")) is None
    assert "outside its range" in scoring.check_points(c, D("20.01"))
    assert "outside its range" in scoring.check_points(c, D("-0.5"))
    assert "two decimals" in scoring.check_points(c, D("1.234"))
    assert "not a number" in scoring.check_points(c, "ten")
    assert "not a number" in scoring.check_points(c, D("NaN"))


TECH = CriterionSpec(name="technical", max_points=D(60), id=11)
COMMERCIAL = CriterionSpec(name="commercial", max_points=D(10), id=12, experts=frozenset({"e2", "e3"}))
PRICE = CriterionSpec(name="price", max_points=D(30), kind="price", id=13)


def test_a_criterion_scored_by_some_experts_is_averaged_over_them():
    sheets = {"e1": {7: {11: D(50)}}, "e2": {7: {11: D(54), 12: D(8)}}, "e3": {7: {11: D(55), 12: D(9)}}}
    result = scoring.aggregate(sheets, criteria=[TECH, COMMERCIAL, PRICE], price_points={7: D("27.00")})[7]
    assert result.by_criterion == {11: D("53.00"), 12: D("8.50")}
    assert result.score == D("88.50")  # 53 + 8.5 + 27, not the mean of the totals below (85.67)
    assert result.non_price == D("61.50")
    assert result.by_expert == {"e1": D("77.00"), "e2": D("89.00"), "e3": D("91.00")}


def test_incomplete_or_wrong_sheets_are_refused():
    criteria = [TECH, COMMERCIAL, PRICE]
    cases = [
        ({"e1": {7: {}}, "e2": {7: {11: 1, 12: 1}}, "e3": {7: {11: 1, 12: 1}}}, "has not scored"),
        ({"e1": {7: {11: 1, 12: 1}}, "e2": {7: {11: 1, 12: 1}}, "e3": {7: {11: 1, 12: 1}}}, "does not score"),
        ({"e1": {7: {11: 1, 13: 1}}, "e2": {7: {11: 1, 12: 1}}, "e3": {7: {11: 1, 12: 1}}}, "from the formula"),
        ({"e1": {7: {11: 61}}, "e2": {7: {11: 1, 12: 1}}, "e3": {7: {11: 1, 12: 1}}}, "outside its range"),
        ({"e1": {7: {11: 1}}, "e2": {7: {11: 1, 12: 1}}}, "has not handed in"),
        ({"e1": {7: {11: 1, 99: 1}}, "e2": {7: {11: 1, 12: 1}}, "e3": {7: {11: 1, 12: 1}}}, "Unknown criterion"),
    ]
    for sheets, message in cases:
        with pytest.raises(DomainError) as e:
            scoring.aggregate(sheets, criteria=criteria, price_points={7: D(30)})
        assert any(message in m for m in e.value.fields["sheets"]), (message, e.value.fields)
    with pytest.raises(DomainError):  # a bid with scores but no price points
        scoring.aggregate({"e1": {7: {11: 1}, 8: {11: 1}}}, criteria=[TECH, PRICE], price_points={7: D(30)})
    with pytest.raises(DomainError):  # a price criterion needs the formula's points
        scoring.aggregate({"e1": {7: {11: 1}}}, criteria=[TECH, PRICE])


points_in_cents = st.integers(0, 4000).map(lambda c: D(c) / 100)


@st.composite
def committees(draw, all_score_all=True):
    maxima = draw(st.lists(st.integers(1, 4000), min_size=1, max_size=4))
    criteria = [CriterionSpec(name=f"c{n}", max_points=D(m) / 100, id=n) for n, m in enumerate(maxima)]
    experts = list(range(1, draw(st.integers(1, 7)) + 1))
    if not all_score_all:
        criteria = [CriterionSpec(name=c.name, max_points=c.max_points, id=c.id, experts=frozenset(
            draw(st.sets(st.sampled_from(experts), min_size=1)))) for c in criteria]
    bids = draw(st.sets(st.integers(1, 50), min_size=1, max_size=6))
    sheets = {e: {b: {c.id: D(draw(st.integers(0, int(c.max_points * 100)))) / 100
                      for c in criteria if c.experts is None or e in c.experts} for b in bids} for e in experts}
    price_points = {b: D(draw(st.integers(0, 3000))) / 100 for b in bids}
    return criteria + [CriterionSpec(name="price", max_points=D(30), kind="price", id="p")], sheets, price_points


@settings(max_examples=150, deadline=None)
@given(committee=committees())
def test_a_bids_score_is_the_mean_of_the_experts_totals_to_two_decimals(committee):
    criteria, sheets, price_points = committee
    for bid, result in scoring.aggregate(sheets, criteria=criteria, price_points=price_points).items():
        totals = list(result.by_expert.values())
        assert result.score == scoring.q2(Fraction(sum(totals)) / len(totals))  # RULES M3, exactly
        assert min(totals) <= result.score <= max(totals)
        assert result.score == result.score.quantize(D("0.01"))
        assert all(t == sum(sheets[e][bid].values()) + price_points[bid] for e, t in result.by_expert.items())


@settings(max_examples=150, deadline=None)
@given(committee=committees(all_score_all=False))
def test_with_partial_scorers_each_criterion_mean_lies_between_its_lowest_and_highest_points(committee):
    criteria, sheets, price_points = committee
    for bid, result in scoring.aggregate(sheets, criteria=criteria, price_points=price_points).items():
        low = high = price_points[bid]
        for c in criteria[:-1]:
            given_points = [sheets[e][bid][c.id] for e in c.experts]
            assert min(given_points) <= result.by_criterion[c.id] <= max(given_points)
            low, high = low + min(given_points), high + max(given_points)
        assert low <= result.score <= high


# --- ranking (RULES M4) -----------------------------------------------------------------------------------

def test_comprehensive_ranking_score_then_price_then_lottery():
    scores = {1: D("85.50"), 2: D("90.00"), 3: D("85.50"), 4: D("85.50"), 5: D("70.00")}
    prices = {1: D("100"), 2: D("120"), 3: D("95"), 4: D("100"), 5: D("80")}
    ranking = scoring.rank(method="comprehensive", prices=prices, scores=scores)
    # 1 and 4 are equal on score and price: without a seed they share rank 3, and a lottery is pending
    assert [(r.bid, r.rank) for r in ranking.rows] == [(2, 1), (3, 2), (1, 3), (4, 3), (5, 5)]
    assert ranking.pending == [1, 4]
    assert ranking.candidates(2) == [2, 3]
    with pytest.raises(DomainError):
        ranking.candidates(3)
    # with the committed seed the lottery orders them
    drawn = scoring.rank(method="comprehensive", prices=prices, scores=scores, seed=SEED)
    expected = lottery.ranking(SEED, [1, 4])
    assert drawn.order == [2, 3, *expected, 5]
    assert [r.rank for r in drawn.rows] == [1, 2, 3, 4, 5]
    assert [r.tie_broken_by for r in drawn.rows] == ["", "", "lottery", "lottery", ""]
    assert drawn.ties == (scoring.Tie(bids=tuple(expected), broken_by="lottery"),)
    assert drawn.pending == [] and drawn.candidates() == [2, 3, expected[0]]


def test_a_tie_is_broken_by_the_documents_rule_before_the_lottery():
    criteria = [TECH, PRICE]
    sheets = {"e1": {1: {11: D(50)}, 2: {11: D(52)}, 3: {11: D(52)}}}
    price_points = {1: D("30.00"), 2: D("28.00"), 3: D("28.00")}  # all total 80; 2 and 3 also equal in price
    aggregated = scoring.aggregate(sheets, criteria=criteria, price_points=price_points)
    assert {r.score for r in aggregated.values()} == {D("80.00")}
    prices = {1: D("100"), 2: D("100"), 3: D("100")}
    key = scoring.tie_key_for("technical_first", aggregated)
    ranking = scoring.rank(method="comprehensive", prices=prices, scores={b: r.score for b, r in aggregated.items()},
                           tie_key=key, seed=SEED)
    pair = lottery.ranking(SEED, [2, 3])
    assert ranking.order == [*pair, 1]
    assert [r.tie_broken_by for r in ranking.rows] == ["lottery", "lottery", "documents"]
    assert ranking.ties == (scoring.Tie(bids=(*pair, 1), broken_by="documents"),
                            scoring.Tie(bids=tuple(pair), broken_by="lottery"))
    assert scoring.tie_key_for("lottery", aggregated) is None
    with pytest.raises(DomainError):
        scoring.tie_key_for("oldest_company_first", aggregated)


def test_lowest_price_ranking_is_by_evaluated_price_with_ties():
    ranking = scoring.rank(method="lowest_price", prices={1: D("300"), 2: D("200"), 3: D("200")})
    assert [(r.bid, r.rank) for r in ranking.rows] == [(2, 1), (3, 1), (1, 3)]
    assert scoring.rank(method="lowest_price", prices={1: D("300"), 2: D("200"), 3: D("200")}, seed=SEED).order \
        == [*lottery.ranking(SEED, [2, 3]), 1]
    with pytest.raises(DomainError):
        scoring.rank(method="comprehensive", prices={1: D("1")}, scores={})
    with pytest.raises(DomainError):
        scoring.Ranking(rows=(), ties=()).candidates(4)


standings = st.dictionaries(
    st.integers(1, 10_000),
    st.tuples(st.integers(0, 20).map(lambda n: D(80) + D(n) / 4), st.integers(1, 4).map(lambda n: D(n * 100))),
    min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(standing=standings, seed=st.binary(min_size=32, max_size=32), shuffle=st.randoms(use_true_random=False))
def test_ranking_properties(standing, seed, shuffle):
    scores = {b: s for b, (s, _p) in standing.items()}
    prices = {b: p for b, (_s, p) in standing.items()}
    ranking = scoring.rank(method="comprehensive", prices=prices, scores=scores, seed=seed)
    order = ranking.order
    assert sorted(order) == sorted(standing)  # a permutation
    assert [r.rank for r in ranking.rows] == list(range(1, len(order) + 1))
    for a, b in zip(order, order[1:]):
        assert scores[a] >= scores[b]  # a higher score never ranks below a lower one
        if scores[a] == scores[b]:
            assert prices[a] <= prices[b]  # equal scores go by price
            if prices[a] == prices[b]:
                assert ranking.rows[order.index(b)].tie_broken_by == "lottery"
    # the same seed gives the same order whatever order the bids come in
    items = list(standing.items())
    shuffle.shuffle(items)
    again = scoring.rank(method="comprehensive", prices={b: p for b, (_s, p) in items},
                         scores={b: s for b, (s, _p) in items}, seed=seed)
    assert again == ranking
    # without a seed: same grouping, the tied share a rank and nothing else moves
    unseeded = scoring.rank(method="comprehensive", prices=prices, scores=scores)
    assert {b for t in unseeded.ties for b in t.bids} == set(unseeded.pending)
    assert sorted(unseeded.pending) == sorted(b for t in ranking.ties for b in t.bids)
    assert len(ranking.candidates(min(3, len(order)))) == min(3, len(order))


# --- flags (RULES M8) and corrections (87号令 art. 64) ----------------------------------------------------

def test_an_abnormally_low_price_is_flagged_with_each_reason():
    flags = scoring.abnormally_low({1: D("40"), 2: D("100"), 3: D("110"), 4: D("120")}, ceiling=D("200"))
    # mean 92.5 × 50 % = 46.25; second-lowest 100 × 55 % = 55; ceiling 200 × 45 % = 90
    assert [(f.bid, f.reasons) for f in flags] == [(1, ("below_mean", "below_second_lowest", "below_ceiling"))]
    assert flags[0].kind == "abnormally_low"
    assert "50%" in flags[0].message and "55%" in flags[0].message and "45%" in flags[0].message


def test_each_low_price_threshold_on_its_own_and_at_its_boundary():
    # exactly 50 % of the mean is not below it; 60 < 120 × 55 % = 66 is
    assert [f.reasons for f in scoring.abnormally_low({1: D(60), 2: D(120), 3: D(180)})] == [("below_second_lowest",)]
    # 85 is only below 45 % of the ceiling (90)
    assert [f.reasons for f in scoring.abnormally_low({1: D(85), 2: D(100), 3: D(105)}, ceiling=D(200))] \
        == [("below_ceiling",)]
    assert scoring.abnormally_low({1: D(85), 2: D(100), 3: D(105)}, ceiling=D(200), ceiling_ratio=D("0.4")) == []
    # two equal lowest prices: the second-lowest is the same price, so neither is below 55 % of it
    assert scoring.abnormally_low({1: D(50), 2: D(50), 3: D(90)}) == []
    assert scoring.abnormally_low({}) == []


SCORED = [CriterionSpec(name="design", max_points=D(50), id="d"), CriterionSpec(name="plan", max_points=D(30), id="p"),
          PRICE]


def _sheets(totals: dict) -> dict:
    return {e: {1: {"d": D(t[0]), "p": D(t[1])}} for e, t in totals.items()}


def test_an_expert_far_from_the_others_is_flagged():
    sheets = _sheets({"A": (40, 20), "B": (42, 20), "C": (38, 20), "D": (41, 20), "E": (20, 10)})
    flags = scoring.score_deviations(sheets, criteria=SCORED, threshold=D("0.20"))
    # E gave 30; the others 60.25 on average: 30.25 ÷ 80 = 37.81 %
    assert [(f.kind, f.bid, f.expert, f.value) for f in flags] == [("deviation", 1, "E", D("0.3781"))]
    assert "E" in flags[0].message and "20%" in flags[0].message


def test_a_deviation_exactly_at_the_threshold_is_not_flagged():
    sheets = _sheets({"A": (40, 20), "B": (40, 20), "C": (24, 20)})  # C: 44 vs 60: 16 ÷ 80 = 20 %
    assert scoring.score_deviations(sheets, criteria=SCORED, threshold=D("0.20")) == []
    assert [f.expert for f in scoring.score_deviations(sheets, criteria=SCORED, threshold=D("0.19"))] == ["C"]


def test_inconsistent_objective_points_are_flagged():
    criteria = [CriterionSpec(name="certificates", max_points=D(5), kind="objective", id="o"), TECH]
    sheets = {"A": {1: {"o": D(5), 11: D(40)}, 2: {"o": D(3), 11: D(30)}},
              "B": {1: {"o": D(4), 11: D(44)}, 2: {"o": D(3), 11: D(31)}}}
    flags = scoring.objective_inconsistencies(sheets, criteria=criteria)
    assert [(f.kind, f.bid, f.criterion) for f in flags] == [("objective_inconsistent", 1, "o")]


def test_only_the_corrections_the_rules_allow_are_accepted():
    for kind in ("addition_error", "out_of_range", "objective_inconsistent", "abnormal_score"):
        assert scoring.correction_errors(kind=kind, reason="recorded in the minutes") == []
    assert scoring.correction_errors(kind="change_of_heart", reason="I like them better now")
    assert scoring.correction_errors(kind="addition_error", reason="  ")
    assert scoring.correction_errors(kind="out_of_range", reason="x", criterion=TECH, points=D("60.01"))
    assert scoring.correction_errors(kind="out_of_range", reason="x", criterion=TECH, points=D("60")) == []
    assert scoring.correction_errors(kind="abnormal_score", reason="x", criterion=PRICE, points=D("1"))
