"""The demo's tenders: one in each early state, several open for bids. Amounts in 元."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class LotSpec:
    name: str
    budget: Decimal
    ceiling_price: Decimal
    description: str


@dataclass(frozen=True)
class ClarificationSpec:
    title: str
    body: str  # {new_deadline} is filled in
    extend_days: int


@dataclass(frozen=True)
class TenderSpec:
    title: str
    category: str
    method: str
    tenderer: str  # OrgSpec.key
    operator: str  # OrgSpec.key of the agency, or of the tenderer when it runs the tender itself
    budget: Decimal
    description: str
    lots: list[LotSpec]
    outcome: str  # draft | submitted | returned | published | cancelled
    publish_in_days: int  # 0: publish as soon as the centre approves
    bid_days: int  # days from today to the bid deadline (at 09:30)
    note: str = ""  # the centre's reason for returning, or the reason for cancelling
    clarification: ClarificationSpec | None = None
    evaluation_planned: bool = True
    qualifications: list[str] = field(default_factory=list)


D = Decimal

TENDERS = [
    TenderSpec(
        title="青溪县孝源镇竹海大道至横溪村道路提升改造工程",
        category="works", method="open", tenderer="town", operator="agency_zhengxin", budget=D("4860000.00"),
        description="对竹海大道至横溪村段约6.85公里农村公路进行提升改造，包括路基加宽、沥青混凝土路面铺装、"
                    "排水边沟、安全防护设施及交通标志标线。计划工期180日历天，质量要求合格。",
        lots=[
            LotSpec("第一标段（K0+000～K3+200）", D("2650000.00"), D("2596300.00"),
                    "路基加宽3.2公里，AC-13C沥青混凝土面层，波形梁护栏1,860米。"),
            LotSpec("第二标段（K3+200～K6+850）", D("2210000.00"), D("2165800.00"),
                    "路面改造3.65公里，新建钢筋混凝土盖板涵4道，标志标线全线。"),
        ],
        outcome="published", publish_in_days=0, bid_days=24,
        qualifications=["具备市政公用工程施工总承包三级及以上资质，并具有有效的安全生产许可证",
                        "拟派项目负责人具备市政公用工程专业二级及以上注册建造师执业资格"],
    ),
    TenderSpec(
        title="青溪县实验中学食堂厨房设备采购及安装项目",
        category="government", method="open", tenderer="school", operator="agency_mingcheng",
        budget=D("1280000.00"),
        description="为学校新建食堂（就餐规模1,800人）采购并安装炉灶、蒸饭柜、洗碗机、冷藏冷冻设备、"
                    "排烟净化系统及不锈钢操作台等厨房设备，含运输、安装、调试、培训及三年质保。",
        lots=[LotSpec("厨房设备及安装", D("1280000.00"), D("1256000.00"),
                      "商用燃气炒灶8台、三门蒸饭柜4台、通道式洗碗机1台、冷库1座及配套设施。")],
        outcome="published", publish_in_days=0, bid_days=22,
        qualifications=["具有独立承担民事责任的能力，具有良好的商业信誉和健全的财务会计制度",
                        "参加政府采购活动前三年内，在经营活动中没有重大违法记录"],
    ),
    TenderSpec(
        title="青溪县西苕溪支流（横溪段）河道清淤疏浚工程",
        category="works", method="open", tenderer="water", operator="agency_zhengxin", budget=D("3520000.00"),
        description="对西苕溪支流横溪段约7.8公里河道实施清淤疏浚，清淤量约12.6万立方米，含淤泥脱水固化处置、"
                    "护岸修复及施工期临时导流。计划工期150日历天，须避开主汛期作业。",
        lots=[
            LotSpec("第一标段（上游段，约4.2公里）", D("1860000.00"), D("1822800.00"),
                    "清淤量约6.9万立方米，干砌石护岸修复1,200米。"),
            LotSpec("第二标段（下游段，约3.6公里）", D("1660000.00"), D("1626800.00"),
                    "清淤量约5.7万立方米，淤泥固化处置场一处。"),
        ],
        outcome="published", publish_in_days=0, bid_days=23, evaluation_planned=False,
        clarification=ClarificationSpec(
            title="关于青溪县西苕溪支流（横溪段）河道清淤疏浚工程招标文件的澄清（第1号）",
            body="一、经复核，第一标段工程量清单中“淤泥脱水固化”项目特征描述有误，固化后含水率应为不大于40%，"
                 "以本澄清为准。\n二、为便于投标人勘察现场，投标截止时间（开标时间）顺延至{new_deadline}，"
                 "澄清截止时间相应顺延。\n三、招标文件其他内容不变。本澄清构成招标文件的组成部分。",
            extend_days=7,
        ),
        qualifications=["具备水利水电工程施工总承包三级及以上资质，并具有有效的安全生产许可证",
                        "拟派项目负责人具备水利水电工程专业二级及以上注册建造师执业资格"],
    ),
    TenderSpec(
        title="青溪县孝源镇人民政府机关及便民服务中心物业管理服务项目",
        category="government", method="consultation", tenderer="town", operator="agency_mingcheng",
        budget=D("1560000.00"),
        description="为镇政府机关大楼及便民服务中心（建筑面积约1.46万平方米）提供保洁、秩序维护、"
                    "设施设备运行维护、会务及绿化养护等物业管理服务，服务期三年。",
        lots=[LotSpec("物业管理服务（三年）", D("1560000.00"), D("1560000.00"),
                      "驻场人员不少于18人，其中项目经理1名，24小时秩序维护。")],
        outcome="published", publish_in_days=0, bid_days=12,
        qualifications=["具有独立承担民事责任的能力，具有履行合同所必需的设备和专业技术能力"],
    ),
    TenderSpec(
        title="青溪县孝源镇横溪村集体土地经营权租赁项目",
        category="land", method="open", tenderer="town", operator="agency_zhengxin", budget=D("2400000.00"),
        description="横溪村村集体经济组织将约186亩集体土地经营权对外租赁，用于白茶种植及农旅融合项目，"
                    "租期15年，起始租金总额240万元，以报价最高者为承租人。",
        lots=[LotSpec("横溪村集体土地经营权（约186亩，租期15年）", D("2400000.00"), D("2400000.00"),
                      "地块位于横溪村竹园自然村南侧，四至范围详见附图。")],
        outcome="draft", publish_in_days=5, bid_days=30,
        qualifications=["依法设立的企业、农民专业合作社或具有农业经营能力的个人"],
    ),
    TenderSpec(
        title="青溪县实验中学学生公寓床具及课桌椅采购项目",
        category="government", method="inquiry", tenderer="school", operator="school", budget=D("680000.00"),
        description="采购学生公寓上下铺钢木床420套、升降式学生课桌椅960套，含送货、安装及五年质保。",
        lots=[
            LotSpec("学生公寓床具", D("420000.00"), D("411600.00"), "钢木上下铺床420套，床板为E1级多层实木板。"),
            LotSpec("学生课桌椅", D("260000.00"), D("254800.00"), "单人升降式课桌椅960套，符合GB/T 3976-2014。"),
        ],
        outcome="submitted", publish_in_days=2, bid_days=10,
        qualifications=["具有独立承担民事责任的能力，所投产品符合国家强制性标准"],
    ),
    TenderSpec(
        title="青溪县城区河道保洁及水域绿化养护服务项目",
        category="government", method="open", tenderer="water", operator="agency_mingcheng",
        budget=D("2190000.00"),
        description="对城区西苕溪、浒溪等9条河道约26公里水域实施水面保洁、岸坡保洁及沿河绿化养护，服务期两年。",
        lots=[LotSpec("城区河道保洁及绿化养护（两年）", D("2190000.00"), D("2150000.00"),
                      "保洁船只不少于4艘，作业人员不少于22人。")],
        outcome="returned", publish_in_days=3, bid_days=28,
        note="一、采购需求中的服务期（两年）与预算批复的服务期（一年）不一致，请核实后修改。\n"
             "二、评分办法第3项“本县注册企业加3分”属于以不合理条件对供应商实行差别待遇，违反公平竞争审查规定，请删除。",
        qualifications=["具有独立承担民事责任的能力，具有良好的商业信誉和健全的财务会计制度"],
    ),
    TenderSpec(
        title="青溪县水利局防汛物资仓库改造工程",
        category="works", method="open", tenderer="water", operator="agency_zhengxin", budget=D("1350000.00"),
        description="对县防汛物资仓库（建筑面积2,300平方米）进行屋面防水、钢结构加固、消防及通风系统改造。",
        lots=[LotSpec("防汛物资仓库改造", D("1350000.00"), D("1323000.00"),
                      "屋面防水2,450平方米，钢结构除锈防腐及加固，室内消火栓系统改造。")],
        outcome="cancelled", publish_in_days=0, bid_days=26,
        note="因县防汛物资储备规划调整，该仓库将整体搬迁，本项目终止招标。已下载招标文件的潜在投标人无需再递交投标文件。",
        qualifications=["具备建筑工程施工总承包三级及以上资质，并具有有效的安全生产许可证"],
    ),
]
