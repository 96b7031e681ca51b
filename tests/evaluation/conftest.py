"""A lot ready for evaluation: scheme set before the deadline, three sealed bids opened and read out, the
opening record published, five experts drawn, confirmed and declared free of conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bidding.models import Opening
from bidding.services import opening as hall
from core.actor import Actor
from evaluation.models import Committee
from evaluation.services.committees import committee_form
from evaluation.services.schemes import CriterionInput, RequirementInput, SchemeInput, scheme_set
from experts.models import Specialty
from experts.services.draws import BucketInput, DrawInput, draw_request, draw_run
from experts.services.responses import conflict_declare, expert_actor, invitation_confirm
from tests.bidding.conftest import bid_dirs, clock_at, english, open_tender  # noqa: F401  (shared fixtures)
from tests.bidding.test_opening import Bidder
from tests.factories import make_expert
from workdays.selectors import add_working_days

PRICES = ("1180000.00", "1234567.89", "1099999.50")


def scheme_input(**overrides) -> SchemeInput:
    data = SchemeInput(
        method="comprehensive", procurement_kind="works", price_formula="gp_lowest",
        requirements=[RequirementInput("营业执照及施工资质（市政公用工程施工总承包三级及以上）", "qualification"),
                      RequirementInput("投标保证金已按时足额缴纳", "compliance"),
                      RequirementInput("投标报价不超过最高投标限价", "compliance")],
        criteria=[CriterionInput("投标报价", "30", "price"),
                  CriterionInput("施工组织设计", "40", "subjective", "technical"),
                  CriterionInput("项目管理机构", "20", "objective"),
                  CriterionInput("企业业绩与信誉", "10", "objective")])
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


@dataclass
class Ready:
    lot: object
    bidders: list
    experts: list  # Actors of the seated experts, in seat order
    committee: Committee | None = None

    def member_actor(self, position: int) -> Actor:
        return self.experts[position - 1]


@pytest.fixture
def ready(open_tender, bid_dirs, clock_at, agency):
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
    for b in bidders:
        hall.readout_respond(actor=b.actor, lot_id=lot.pk)
    # The record's rendering is tested in tests/bidding/test_opening_record.py; here only its publication matters.
    Opening.objects.filter(lot=lot).update(record_published_at=deadline + timedelta(minutes=20),
                                           record_sha256="0" * 64)
    road = [make_expert(specialties=["SZ01"]) for _ in range(6)]
    cost = [make_expert(specialties=["ZJ"]) for _ in range(2)]
    codes = dict(Specialty.objects.values_list("code", "pk"))
    evaluation_at = timezone.make_aware(datetime.combine(add_working_days(timezone.localtime(deadline).date(), 1),
                                                         time(9, 30)))
    draw = draw_run(actor=agency, draw=draw_request(actor=agency, data=DrawInput(
        lot_id=lot.pk, evaluation_at=evaluation_at, committee_size=5, evaluation_place="青溪县公共资源交易中心远程评标室",
        buckets=[BucketInput(codes["SZ01"], 4), BucketInput(codes["ZJ"], 1)])))
    seated = list(draw.selections.select_related("expert__user").order_by("sequence"))
    for s in seated:
        invitation_confirm(actor=expert_actor(s), selection=s)
    for s in seated:
        conflict_declare(actor=expert_actor(s), selection=s, has_conflict=False)
    assert len(road) + len(cost) == 8
    return Ready(lot=lot, bidders=bidders, experts=[expert_actor(s) for s in seated])


@pytest.fixture
def formed(ready, agency):
    ready.committee = committee_form(actor=agency, lot_id=ready.lot.pk)
    return ready
