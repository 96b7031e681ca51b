"""Demo data for the directory and the 三色令 (called at the end of bidding/demo/seed.py).

Profiles and staff for the two demo agencies and four more intermediaries (造价咨询, 监理), and findings
in different states: one awaiting the response, one awaiting the decision, one withdrawn, a blue and a
yellow card with their notices. All made through the services; a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.credit_code import complete
from accounts.models import Membership, Organisation
from accounts.services import organisation_admin_create, organisation_create
from agencies.models import AgencyProfile, Finding
from agencies.services import (
    CertificateInput,
    FindingInput,
    ProfileInput,
    finding_decide,
    finding_record,
    finding_respond,
    profile_save,
    qualification_add,
    staff_add,
)
from bidding.demo.organisations import MAIL_DOMAIN, PASSWORD
from bidding.models import Tender
from core.actor import Actor

REGION = "浙江省/湖州市/青溪县"


@dataclass
class Staff:
    name: str
    id_number: str
    role: str
    title: str
    certificates: list[tuple[str, str, date | None]] = field(default_factory=list)


@dataclass
class Intermediary:
    name: str
    credit_code: str  # 17 characters; the check character is computed
    kinds: list[str]
    capital: str
    offices: str
    introduction: str
    qualifications: list[tuple[str, str, str, str, date | None]]
    staff: list[Staff]
    address: str = ""
    contact: str = ""
    phone: str = ""


INTERMEDIARIES = [
    Intermediary("浙江青溪正信招标代理有限公司", "91330599MA2B7Q1K3", ["tendering", "cost"], "8000000.00",
                 "青溪县递铺街道胜利西路36号5楼", "专业从事工程建设项目招标代理、政府采购代理及全过程工程咨询。",
                 [("工程造价咨询企业", "甲级", "甲230330000188", "浙江省住房和城乡建设厅", date(2027, 6, 30))],
                 [Staff("陈国栋", "330523197803150017", "project_lead", "高级工程师",
                        [("一级造价工程师", "建[造]13330010021", date(2027, 12, 31))]),
                  Staff("沈佳怡", "330523199005220049", "technical", "工程师",
                        [("招标师", "ZBS-3305-2019-0137", None)]),
                  Staff("徐斌", "330502198811030012", "cost_engineer", "工程师",
                        [("二级造价工程师", "建[造]23330020456", date(2026, 9, 30))])]),
    Intermediary("湖州明诚工程咨询有限公司", "91330500MA2D4H8N6", ["tendering", "supervision"], "12000000.00",
                 "湖州市吴兴区凤凰路299号明诚大厦", "提供招标代理、工程监理与项目管理服务。",
                 [("工程监理", "房屋建筑工程专业甲级", "E133000456", "中华人民共和国住房和城乡建设部",
                   date(2028, 3, 31))],
                 [Staff("吴振华", "330502197506080031", "project_lead", "高级工程师",
                        [("注册监理工程师", "33004567", date(2027, 4, 30))]),
                  Staff("朱晓燕", "330502199203140028", "technical", "助理工程师", [])]),
    Intermediary("青溪县恒信工程造价咨询有限公司", "91330599MA2F8K2L5", ["cost"], "3000000.00",
                 "青溪县递铺街道浦源大道88号", "工程造价咨询、工程量清单及最高投标限价编制。",
                 [("工程造价咨询企业", "乙级", "乙230330000512", "浙江省住房和城乡建设厅", date(2026, 12, 31))],
                 [Staff("周立新", "330523198206270015", "cost_engineer", "高级工程师",
                        [("一级造价工程师", "建[造]13330010388", date(2028, 6, 30))]),
                  Staff("蒋玲", "330523199307190024", "cost_engineer", "工程师",
                        [("二级造价工程师", "建[造]23330020987", date(2027, 3, 31))])],
                 "青溪县递铺街道浦源大道88号", "周立新", "0572-5128801"),
    Intermediary("湖州正衡工程造价事务所有限公司", "91330500MA2H3M6P9", ["cost", "tendering"], "5000000.00",
                 "湖州市吴兴区红丰路1366号", "造价咨询、招标代理、结算审计。",
                 [("工程造价咨询企业", "甲级", "甲230330000277", "浙江省住房和城乡建设厅", date(2027, 9, 30))],
                 [Staff("钱海峰", "330502198001120019", "project_lead", "高级经济师",
                        [("一级造价工程师", "建[造]13330010777", date(2027, 10, 31))])],
                 "湖州市吴兴区红丰路1366号", "钱海峰", "0572-2216600"),
    Intermediary("浙江安澜工程监理有限公司", "91330599MA2J5R8T2", ["supervision"], "6000000.00",
                 "青溪县经济开发区创业路66号", "房屋建筑、市政公用、水利水电工程监理。",
                 [("工程监理", "市政公用工程专业甲级", "E133000789", "中华人民共和国住房和城乡建设部",
                   date(2027, 11, 30))],
                 [Staff("黄建新", "330523197611240013", "supervisor", "高级工程师",
                        [("注册监理工程师", "33007788", date(2027, 8, 31))]),
                  Staff("孙伟", "330523198509090036", "supervisor", "工程师",
                        [("注册监理工程师", "33008899", date(2026, 5, 31))])],
                 "青溪县经济开发区创业路66号", "黄建新", "0572-5139966"),
    Intermediary("青溪县天目建设监理咨询有限公司", "91330599MA2L7U1W4", ["supervision", "cost"], "2000000.00",
                 "青溪县天子湖镇振兴路12号", "工程监理及造价咨询。",
                 [("工程监理", "房屋建筑工程专业乙级", "E233001234", "浙江省住房和城乡建设厅", date(2026, 10, 31))],
                 [Staff("郑涛", "330523198712010052", "supervisor", "工程师",
                        [("注册监理工程师", "33009911", date(2027, 1, 31))])],
                 "青溪县天子湖镇振兴路12号", "郑涛", "0572-5360012"),
]


def _organisation(spec: Intermediary, number: int, system: Actor) -> Organisation:
    """The two demo agencies exist already; the others are enrolled here with a first administrator
    (agency3 … agency6, the demo password)."""
    code = complete(spec.credit_code)
    org = Organisation.objects.filter(credit_code=code).first()
    if org is None:
        org = organisation_create(actor=system, name=spec.name, credit_code_value=code, kind="agency",
                                  region=REGION, address=spec.address, contact_name=spec.contact,
                                  contact_phone=spec.phone)
        username = f"agency{number}"
        organisation_admin_create(actor=system, organisation=org, username=username,
                                  email=f"{username}@{MAIL_DOMAIN}", full_name=spec.contact, phone=spec.phone,
                                  password=PASSWORD)
    return org


def _editor(org: Organisation, centre: Actor) -> Actor:
    """Its own administrator when it has one; otherwise the trading centre keeps its entry."""
    membership = Membership.objects.filter(organisation=org, is_active=True).select_related("user").first()
    if membership is not None:
        return Actor(user=membership.user, organisation=org, role=org.kind)
    return centre


def _entry(spec: Intermediary, org: Organisation, centre: Actor) -> bool:
    if AgencyProfile.objects.filter(organisation=org).exists():
        return False
    editor = _editor(org, centre)
    profile_save(actor=editor, agency=org, data=ProfileInput(
        service_kinds=spec.kinds, registered_capital=Decimal(spec.capital), offices=spec.offices,
        introduction=spec.introduction))
    for name, grade, number, issuer, expires in spec.qualifications:
        qualification_add(actor=editor, agency=org, name=name, grade=grade, number=number, issuer=issuer,
                          expires_on=expires)
    for person in spec.staff:
        staff_add(actor=editor, agency=org, name=person.name, id_number=person.id_number, role=person.role,
                  title=person.title, certificates=[CertificateInput(*c) for c in person.certificates])
    return True


def _evidence(title: str, body: str) -> SimpleUploadedFile:
    from weasyprint import HTML

    html = (f'<html lang="zh-CN"><body style="font-family: \'Noto Serif CJK SC\', serif; font-size: 12pt">'
            f"<h2>{title}</h2><p>{body}</p></body></html>")
    return SimpleUploadedFile(f"{title}.pdf", HTML(string=html).write_pdf(), content_type="application/pdf")


# (intermediary index, type, facts, outcome, response, decision, colour)
FINDINGS = [
    (0, "filing_errors", "在“青溪县孝源镇农村道路提升改造工程”招标文件备案审查中发现：评标办法中商务分评分标准与投标人须知前附表"
     "表述不一致，且资格条件设置了与项目无关的业绩地域限制。", "card",
     "系编制人员疏忽，已按要求修改招标文件并重新报备。", "经核实，招标文件存在明显错误，给予蓝牌警示。", "blue"),
    (1, "procedure_breach", "在“青溪县实验中学食堂设备采购项目”开标过程中，主持人未按规定公布投标文件解密情况即进入唱标环节，"
     "且开标记录表缺少监督人员确认。", "card",
     "开标系统网络波动导致页面刷新，我公司已加强主持人培训。", "开标程序违规事实清楚，影响开标秩序，给予黄牌警示。", "yellow"),
    (2, "archive_late", "“青溪县水利局河道清淤工程”项目结束后逾期45日未向交易中心移交项目档案，经催告仍未移交。",
     "notified", "", "", ""),
    (4, "complaint_upheld", "投标人投诉“孝源镇污水管网改造工程监理服务”评标过程中监理机构派驻人员资格不符，经调查投诉成立。",
     "responded", "派驻人员已于投诉前取得注册证书，现补充提交证明材料，请予复核。", "", ""),
    (3, "filing_errors", "招标公告中投标截止时间与招标文件不一致。", "withdrawn",
     "该差异系平台公告模板自动带出的时间格式问题，招标文件时间以澄清为准，已同步更正。",
     "经核查，差异系平台模板问题所致，非该机构责任，撤销认定。", ""),
]


def _findings(orgs: list[Organisation], regulator: Actor, log: Callable[[str], None]) -> int:
    made = 0
    for index, vtype, facts, outcome, response, decision, colour in FINDINGS:
        org = orgs[index]
        if Finding.objects.filter(agency=org, description=facts).exists():
            continue
        with transaction.atomic():
            tender = Tender.objects.filter(agency=org).exclude(reference__isnull=True).order_by("pk").first()
            finding = finding_record(actor=regulator, data=FindingInput(
                agency_id=org.pk, violation_type=vtype, description=facts, tender_id=tender.pk if tender else None,
                evidence=[_evidence("调查记录", facts)]))
            if outcome != "notified":
                finding = finding_respond(actor=_editor(org, regulator), finding=finding, response=response)
            if outcome in ("card", "withdrawn"):
                finding_decide(actor=regulator, finding=finding, issue_card=outcome == "card", note=decision,
                               colour=colour or None)
        made += 1
        log(f"  finding    {org.name} ({outcome}{' ' + colour if colour else ''})")
    return made


def seed(log: Callable[[str], None] = lambda line: None) -> int:
    system = Actor.system()
    centre_org = Organisation.objects.filter(kind="centre").order_by("pk").first()
    regulator_org = Organisation.objects.filter(kind="regulator").order_by("pk").first()
    if centre_org is None or regulator_org is None:
        return 0
    centre = _editor(centre_org, system)
    regulator = _editor(regulator_org, system)
    orgs = []
    made = 0
    for number, spec in enumerate(INTERMEDIARIES, start=1):
        with transaction.atomic():
            org = _organisation(spec, number, system)
            if _entry(spec, org, centre):
                made += 1
                log(f"  directory  {org.name}")
        orgs.append(org)
    return made + _findings(orgs, regulator, log)
