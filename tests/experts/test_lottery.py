"""The generic lottery: the documented worked example, properties, and fairness."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from core import lottery

SEED = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")


def test_the_worked_example_in_docs_draws_md():
    buckets = [lottery.Bucket.of("1", 2, range(101, 107)), lottery.Bucket.of("2", 1, range(105, 111))]
    assert lottery.seed_hash(SEED) == "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
    assert lottery.snapshot_hash(buckets) == "f7b70a0b99d020e8907c4b1b4b7213d6aac76d9159829130c57a7591fdf06aa6"
    assert lottery.score(SEED, 102) == "1774d82791f4329fc58764b207e90490d245b3f0280d61581cdf0f2ed6486a7b"
    selection = lottery.draw(SEED, buckets)
    assert selection.rankings == {"1": [102, 103, 104, 106, 101, 105], "2": [110, 106, 107, 109, 108, 105]}
    assert selection.taken == [("1", 102), ("1", 103), ("2", 110)]
    replayed = lottery.replay(SEED, buckets, ["1"])
    assert replayed.taken[-1] == ("1", 104)
    assert lottery.result_hash(replayed.taken) == "77885c7020ad76fccb80494f32ae5497783e208c82e5cb782034e2272efaabd7"
    docs = open("docs/draws.md", encoding="utf-8").read()
    for number in (lottery.seed_hash(SEED), lottery.snapshot_hash(buckets), lottery.result_hash(replayed.taken)):
        assert number in docs


@settings(max_examples=100, deadline=None)
@given(seed=st.binary(min_size=1, max_size=100), ids=st.sets(st.integers(1, 10**12), max_size=40))
def test_the_fast_ranking_orders_by_the_documented_hmac(seed, ids):
    """The ranking hashes with two copied SHA-256 states (RFC 2104 by hand); `score` with the standard library's
    hmac: they must agree digest for digest, keys longer than a block included."""
    expected = sorted(ids, key=lambda i: (lottery.score(seed, i), i))
    assert lottery.ranking(seed, ids) == expected
    ordered = sorted(ids)
    assert [d.hex() for d in lottery._digests(seed, ordered)] == [lottery.score(seed, i) for i in ordered]


bucket_lists = st.lists(
    st.tuples(st.sets(st.integers(1, 60), max_size=25), st.integers(1, 6)), min_size=1, max_size=5)


def _buckets(spec):
    return [lottery.Bucket.of(str(i), count, ids) for i, (ids, count) in enumerate(spec, start=1)]


@settings(max_examples=200, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), spec=bucket_lists)
def test_only_candidates_are_taken_once_each_and_the_same_inputs_give_the_same_result(seed, spec):
    buckets = _buckets(spec)
    first = lottery.draw(seed, buckets)
    assert first.taken == lottery.draw(seed, buckets).taken
    ids = [c for _, c in first.taken]
    assert len(ids) == len(set(ids))
    by_key = {b.key: b for b in buckets}
    for key, candidate in first.taken:
        assert candidate in by_key[key].candidates
    for bucket in buckets:
        taken = first.ids(bucket.key)
        assert len(taken) == bucket.count or bucket.key in first.short
        # the taken ones are the best-ranked still free when the bucket's turn came
        assert taken == [c for c in first.rankings[bucket.key] if c in set(taken)]


@settings(max_examples=200, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), spec=bucket_lists)
def test_the_draw_reading_only_each_rankings_head_takes_what_the_documented_algorithm_takes(seed, spec):
    """docs/draws.md step 4 done the slow way: every bucket's whole ranking by (hex score, id), filled in order."""
    buckets = _buckets(spec)
    expected, used, short = [], set(), {}
    for bucket in buckets:
        order = sorted(bucket.candidates, key=lambda i: (lottery.score(seed, i), i))
        free = [c for c in order if c not in used]
        if len(free) < bucket.count:
            short[bucket.key] = (bucket.count, len(free))
        for candidate in free[: bucket.count]:
            used.add(candidate)
            expected.append((bucket.key, candidate))
    selection = lottery.draw(seed, buckets)
    assert selection.taken == expected and selection.short == short
    for key, candidate in selection.taken:
        order = sorted(next(b for b in buckets if b.key == key).candidates, key=lambda i: (lottery.score(seed, i), i))
        assert selection.rank(key, candidate) == order.index(candidate) + 1
        assert selection.rankings[key] == order


@settings(max_examples=200, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), spec=bucket_lists, vacancies=st.lists(st.integers(1, 5), max_size=6))
def test_replacements_follow_the_ranking(seed, spec, vacancies):
    buckets = _buckets(spec)
    keys = [str(v) for v in vacancies if v <= len(buckets)]
    replayed = lottery.replay(seed, buckets, keys)
    initial = len(lottery.draw(seed, buckets).taken)
    used = {c for _, c in replayed.taken[:initial]}
    for key, candidate in replayed.taken[initial:]:
        assert candidate == lottery.next_in(replayed.rankings[key], used)
        used.add(candidate)


# Critical value of chi-square at p = 0.001 for 9 degrees of freedom: 27.877 (NIST/SEMATECH
# e-Handbook of Statistical Methods, §1.3.6.7.4 "Critical Values of the Chi-Square Distribution",
# upper-tail probability 0.001, ν = 9).
CHI2_CRITICAL_0_001_DF9 = 27.877


def test_selection_is_fair_over_many_draws_from_a_small_pool():
    pool, per_draw, draws = list(range(1, 11)), 3, 3000
    counts = dict.fromkeys(pool, 0)
    for n in range(draws):
        seed = hashlib.sha256(b"fairness-%d" % n).digest()
        for _, candidate in lottery.draw(seed, [lottery.Bucket.of("1", per_draw, pool)]).taken:
            counts[candidate] += 1
    expected = draws * per_draw / len(pool)
    chi2 = sum((observed - expected) ** 2 / expected for observed in counts.values())
    assert chi2 < CHI2_CRITICAL_0_001_DF9, (chi2, counts)


def test_equal_digests_fall_back_to_ordering_by_id(monkeypatch):
    """SHA-256 gives no equal digests in practice; were it to, the documented order is (digest, id)."""
    def fake(seed, candidates):
        return [b"\x00" if c % 2 else b"\x01" for c in candidates]  # odd ids first, equal among themselves

    monkeypatch.setattr(lottery, "_digests", fake)
    assert lottery.ranking(SEED, [6, 3, 5, 2, 1, 4]) == [1, 3, 5, 2, 4, 6]
    assert lottery.draw(SEED, [lottery.Bucket.of("1", 2, [6, 3, 5, 2, 1, 4])]).taken == [("1", 1), ("1", 3)]
