from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bidding.hooks import register_known_bidders, unregister_known_bidders
from bidding.services import tender_review, tender_submit
from core import clock
from experts.services.draws import BucketInput, DrawInput, draw_request, draw_run
from tests.factories import make_expert, make_tender
from workdays.selectors import add_working_days


@pytest.fixture
def clock_at(monkeypatch):
    def move(when):
        monkeypatch.setattr(clock, "now", lambda: when)
        return when
    return move


@pytest.fixture
def published(agency, tenderer, centre, clock_at):
    """A published tender (county 安吉县) with the clock frozen now."""
    now = clock_at(clock.now().replace(microsecond=0))
    start = now - timedelta(hours=1)
    tender = make_tender(agency=agency, tenderer=tenderer.organisation, start=start, region="浙江省/湖州市/安吉县")
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=centre, tender=tender, approve=True)
    tender.refresh_from_db()
    return tender


def evaluation_time(days: int = 1) -> datetime:
    day = add_working_days(clock.now(), days)
    return timezone.make_aware(datetime.combine(day, time(9, 30)))


def draw_input(tender, *, buckets=(("SZ01", 4), ("ZJ", 1)), size=5, **overrides) -> DrawInput:
    from experts.models import Specialty

    codes = dict(Specialty.objects.values_list("code", "pk"))
    data = DrawInput(lot_id=tender.lots.first().pk, evaluation_at=evaluation_time(), committee_size=size,
                     evaluation_place="安吉县公共资源交易中心评标室3", buckets=[BucketInput(codes[c], n) for c, n in buckets])
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


@pytest.fixture
def pool(db):
    """Eight road experts and three cost experts from Hangzhou: enough for a 4 + 1 draw with spares."""
    return {"road": [make_expert(specialties=["SZ01"]) for _ in range(8)],
            "cost": [make_expert(specialties=["ZJ"]) for _ in range(3)]}


@pytest.fixture
def drawn(published, agency, pool):
    draw = draw_request(actor=agency, data=draw_input(published))
    return draw_run(actor=agency, draw=draw)


@pytest.fixture
def bidders_of():
    """Register a known-bidders provider for the test (what the sealed-bid issue will register)."""
    providers = []

    def register(mapping: dict[int, list[int]]):
        fn = lambda lot: mapping.get(lot.pk, [])  # noqa: E731
        register_known_bidders(fn)
        providers.append(fn)
    yield register
    for fn in providers:
        unregister_known_bidders(fn)
