"""Fuzzed input: whatever JSON arrives, the API answers 201 or 4xx, never 500, and a refusal saves nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bidding.models import Category, Method
from bidding.services import tender_submit

OMIT = object()
FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=()), max_size=10),
    st.sampled_from(["", " ", "\x00", "\ud800", "NaN", "-0", "1e999999", "0.001", "9" * 40, "null", "true"]),
)
junk = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=6)

money = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**15, max_value=10**15).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-10**20, max_value=10**20),
    st.floats(min_value=-1e16, max_value=1e16),
)
offsets = st.sampled_from([None, timezone.utc, timezone(timedelta(hours=8)), timezone(timedelta(hours=-11)),
                           timezone(timedelta(hours=14)), timezone(timedelta(hours=5, minutes=45))])
moments = st.one_of(
    st.datetimes(timezones=offsets).map(lambda d: d.isoformat()),
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2031, 1, 1), timezones=offsets)
    .map(lambda d: d.isoformat()),
    st.sampled_from(["2030-02-30T09:00:00+08:00", "2030-03-01T25:00:00+08:00", "2030-03-01T09:00:00+99:00",
                     "2030-03-01", "2030-03-01T09:00:00Z", "2999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00",
                     "9999-12-31T23:59:59-12:00"]),
)


def field(*specific):
    """A replacement value for one field: missing, any JSON at all, or a value of roughly the right kind."""
    return st.one_of(st.just(OMIT), junk, *specific)


SPECIFIC = {
    "budget": money,
    "category": st.sampled_from(Category.values),
    "method": st.sampled_from(Method.values),
    "tenderer_id": st.integers(min_value=-5, max_value=10**6),
    "agency_id": st.integers(min_value=-5, max_value=10**6),
    "decryption_window_minutes": st.integers(min_value=-5, max_value=10**6),
    **{name: moments for name in ("publish_at", "clarification_deadline", "bid_deadline", "evaluation_planned_at")},
}


@st.composite
def lots(draw, valid: list[dict]):
    """The valid lots with a few of their fields replaced, or other lots entirely."""
    rows = [dict(row) for row in valid]
    for _ in range(draw(st.integers(0, 3))):
        row = draw(st.sampled_from(rows))
        name = draw(st.sampled_from(["name", "budget", "ceiling_price", "description"]))
        value = draw(field(money if name in ("budget", "ceiling_price") else st.text(max_size=250)))
        if value is OMIT:
            row.pop(name, None)
        else:
            row[name] = value
    return draw(st.one_of(st.just(rows), st.just(rows[:1]), st.just([]), st.lists(st.just(rows[0]), max_size=60)))


@st.composite
def tender_bodies(draw, valid: dict):
    """A valid body with a few fields replaced (so most requests reach the business rules), or junk."""
    if draw(st.integers(0, 19)) == 0:
        return draw(junk)
    body = dict(valid)
    for name in draw(st.sets(st.sampled_from(sorted(valid)), max_size=3)):
        value = draw(lots(valid["lots"])) if name == "lots" else draw(
            field(SPECIFIC.get(name, st.text(max_size=250))))
        if value is OMIT:
            body.pop(name)
        else:
            body[name] = value
    return body


def post_json(client, url, payload):
    # Encoded by hand: the test client's renderer refuses NaN, which a real client can still send.
    return client.generic("POST", url, json.dumps(payload, allow_nan=True), content_type="application/json")


def test_create_endpoint_never_fails_and_never_half_saves(client_for, agency, tender_body, counts):
    client = client_for(agency)
    valid = tender_body(agency_id=None)

    @FUZZ
    @given(body=tender_bodies(valid))
    def check(body):
        before = counts()
        response = post_json(client, "/api/agency/tenders/", body)
        assert response.status_code == 201 or 400 <= response.status_code < 500, response.content
        payload = response.json()
        if response.status_code == 201:
            assert counts()[0] == before[0] + 1
        else:
            assert set(payload) == {"code", "detail", "fields"}
            assert counts() == before

    check()


def test_notice_list_filters_never_fail(anon, published_tender):
    names = ["q", "category", "method", "region", "published_from", "published_to", "open_only", "ordering", "page"]

    @FUZZ
    @given(params=st.dictionaries(st.sampled_from(names), st.text(max_size=30), max_size=5))
    def check(params):
        response = anon.get("/api/tenders/", params)
        assert response.status_code in (200, 400, 404), response.content

    check()


def test_review_endpoint_never_fails(client_for, agency, centre, draft_tender, counts):
    tender_submit(actor=agency, tender=draft_tender)
    client = client_for(centre)

    @FUZZ
    @given(body=st.one_of(junk, st.fixed_dictionaries({"approve": junk, "note": junk})))
    def check(body):
        before = counts()
        response = post_json(client, f"/api/centre/tenders/{draft_tender.pk}/review/", body)
        assert response.status_code == 200 or 400 <= response.status_code < 500, response.content
        if response.status_code != 200:
            assert counts() == before

    check()
