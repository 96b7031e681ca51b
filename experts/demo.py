"""Demo experts: forty people across specialties and regions, with declared relationships, leave and
one penalty, and a completed draw for one of the published demo tenders. Idempotent.

The demo tenders close weeks from now, so the draw is made with the timing window (RULES X4) widened
for this one call; every other rule applies as it would in production."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from bidding.models import Tender, TenderStatus
from core import clock
from core.actor import Actor
from experts import identity
from experts.models import Draw, Expert, ExpertSpecialty, Leave, Penalty, Relationship, Specialty

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
GIVEN = ["建国", "海涛", "丽华", "志强", "晓明", "秀英", "卫东", "文杰", "静怡", "国平"]
REGIONS = ["浙江省/杭州市/西湖区", "浙江省/杭州市/余杭区", "浙江省/宁波市/鄞州区", "浙江省/嘉兴市/南湖区",
           "浙江省/绍兴市/柯桥区", "浙江省/湖州市/吴兴区", "浙江省/湖州市/德清县", "浙江省/金华市/义乌市",
           "浙江省/湖州市/青溪县"]
EMPLOYERS = ["浙江省交通规划设计研究院", "湖州市城建设计院有限公司", "浙江大学建筑设计研究院", "杭州市水利水电勘测设计院",
             "浙江天平会计师事务所", "浙江六和律师事务所", "宁波市政工程设计研究院", "浙江建科造价咨询有限公司"]
SPECIALTIES = ["SZ01", "SZ02", "SZ03", "FJ01", "FJ02", "SL01", "GL", "YL", "DL", "ZJ", "ZJ", "CW", "FL"]


def _expert(n: int) -> Expert:
    username = f"expert{n:02d}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)],
                    email=f"{username}@qingxi.example", phone=f"1380572{n:04d}")
        from bidding.demo.organisations import PASSWORD

        user.set_password(PASSWORD)
        user.save()
    existing = Expert.objects.filter(user=user).first()
    if existing:
        return existing
    number = identity.validate(identity.complete(f"330102{1960 + n % 25}{1 + n % 12:02d}{1 + n % 27:02d}{100 + n:03d}"))
    expert = Expert.objects.create(
        user=user, name=user.full_name, phone=user.phone, employer_name=EMPLOYERS[n % len(EMPLOYERS)],
        region=REGIONS[n % len(REGIONS)], title="full_senior" if n % 4 == 0 else "senior",
        career_start_year=1988 + n % 20, **identity.protect(number))
    codes = {SPECIALTIES[n % len(SPECIALTIES)], SPECIALTIES[(n * 7) % len(SPECIALTIES)]} if n % 3 == 0 else \
        {SPECIALTIES[n % len(SPECIALTIES)]}
    ExpertSpecialty.objects.bulk_create([ExpertSpecialty(expert=expert, specialty=Specialty.objects.get(code=c))
                                         for c in sorted(codes)])
    return expert


def _ties(experts: list[Expert]) -> None:
    bidders = list(Organisation.objects.filter(kind="bidder", status="approved").order_by("name")[:4])
    today = timezone.localtime(clock.now()).date()
    for i, org in enumerate(bidders):
        expert = experts[i * 5 + 1]
        if not expert.relationships.exists():
            Relationship.objects.create(expert=expert, kind=["cooperation", "relative", "shareholding", "employment"][i],
                                        organisation=org, organisation_name=org.name, credit_code=org.credit_code)
    if not experts[7].leaves.exists():
        Leave.objects.create(expert=experts[7], starts_on=today, ends_on=today + timedelta(days=20), reason="出国访学")
    if not experts[11].penalties.exists():
        Penalty.objects.create(expert=experts[11], decided_on=today - timedelta(days=300), authority="湖州市发展和改革委员会",
                               description="评标过程中擅离职守，通报批评")


def _draw(log: Callable[[str], None]) -> None:
    from experts.services.draws import BucketInput, DrawInput, draw_request, draw_run
    from experts.services.responses import expert_actor, invitation_confirm
    from workdays.selectors import add_working_days

    tender = Tender.objects.filter(status=TenderStatus.PUBLISHED, category="works").order_by("bid_deadline").first()
    if tender is None or Draw.objects.filter(tender=tender).exists():
        return
    membership = Membership.objects.filter(organisation_id=tender.operator_id, is_active=True).select_related(
        "user", "organisation").first()
    operator = Actor(user=membership.user, organisation=membership.organisation, role=membership.organisation.kind)
    deadline = timezone.localtime(tender.bid_deadline)
    evaluation = timezone.make_aware(datetime.combine(add_working_days(deadline, 1), time(9, 0)))
    codes = dict(Specialty.objects.values_list("code", "pk"))
    data = DrawInput(lot_id=tender.lots.order_by("number").first().pk, evaluation_at=evaluation, committee_size=5,
                     evaluation_place="青溪县公共资源交易中心第二评标室",
                     buckets=[BucketInput(codes["SZ"], 4), BucketInput(codes["ZJ"], 1)])
    with override_settings(DRAW_EARLIEST_WORKING_DAYS=400):
        draw = draw_run(actor=operator, draw=draw_request(actor=operator, data=data))
    for selection in draw.selections.select_related("expert__user"):
        invitation_confirm(actor=expert_actor(selection), selection=selection)
    draw.refresh_from_db()
    log(f"  draw       #{draw.pk} {tender.reference} {draw.get_status_display()}")


def seed(log: Callable[[str], None] = lambda line: None) -> None:
    with transaction.atomic():
        created = Expert.objects.count()
        experts = [_expert(n) for n in range(1, 41)]
        _ties(experts)
        created = Expert.objects.count() - created
        if created:
            log(f"  experts    {created} experts (logins expert01 … expert40)")
        _draw(log)
