"""The demo's organisations and their people. All names are fictional; 330599 is no real county's code."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.credit_code import complete

REGION = "浙江省/湖州市/青溪县"
PASSWORD = "qingxi-demo-2025"
MAIL_DOMAIN = "qingxi.example"


@dataclass(frozen=True)
class OrgSpec:
    key: str
    kind: str  # accounts.models.Organisation.Kind value
    name: str
    code17: str  # the credit code without its check character
    username: str
    full_name: str
    phone: str
    address: str
    legal_representative: str = ""
    outcome: str = "approved"  # approved | pending | rejected
    review_note: str = ""

    @property
    def credit_code(self) -> str:
        return complete(self.code17)

    @property
    def email(self) -> str:
        return f"{self.username}@{MAIL_DOMAIN}"


# Set up by the platform operator: organisation_create, then a first administrator.
ENROLLED = [
    OrgSpec("centre", "centre", "青溪县公共资源交易中心", "12330599MB1A23456", "centre", "周建华",
            "0572-5120001", "青溪县昌硕东路188号市民服务中心三楼"),
    OrgSpec("regulator", "regulator", "青溪县发展和改革局", "11330599002501237", "regulator", "沈立群",
            "0572-5120310", "青溪县递铺街道天荒坪北路1号"),
]

# Self-registered (organisation_register) and reviewed by the centre.
REGISTERED = [
    OrgSpec("agency_zhengxin", "agency", "浙江青溪正信招标代理有限公司", "91330599MA2B7Q1K3", "agency1", "陈雅琴",
            "0572-5126618", "青溪县递铺街道胜利西路36号5楼", "陈国栋"),
    OrgSpec("agency_mingcheng", "agency", "湖州明诚工程咨询有限公司", "91330500MA2D4H8N6", "agency2", "吴晓东",
            "0572-2208866", "湖州市吴兴区凤凰路299号明诚大厦", "吴振华"),
    OrgSpec("town", "tenderer", "青溪县孝源镇人民政府", "11330599002587124", "town", "钱志强",
            "0572-5301002", "青溪县孝源镇孝源街1号", "朱伟民"),
    OrgSpec("school", "tenderer", "青溪县实验中学", "12330599470218563", "school", "孙丽萍",
            "0572-5133306", "青溪县递铺街道学府路58号", "郑文博"),
    OrgSpec("water", "tenderer", "青溪县水利局", "11330599002503184", "water", "李海涛",
            "0572-5122516", "青溪县递铺街道天荒坪北路1号", "蒋成林"),
    OrgSpec("qingshan", "bidder", "浙江青山路桥建设有限公司", "91330599MA28C3D7X", "bidder1", "王建军",
            "13905721001", "青溪县经济开发区阳光大道88号", "王建军"),
    OrgSpec("jindun", "bidder", "湖州金盾市政工程有限公司", "91330500MA2J6K9P1", "bidder2", "刘海峰",
            "13905721002", "湖州市南浔区人瑞路120号", "刘海峰"),
    OrgSpec("hongda", "bidder", "青溪县宏达建设工程有限公司", "91330599MA2E5F2R4", "bidder3", "张国平",
            "13905721003", "青溪县天子湖镇工业园区10号", "张国平"),
    OrgSpec("lanhai", "bidder", "浙江蓝海水利疏浚工程有限公司", "91330599MA2G7H3T8", "bidder4", "黄志明",
            "13905721004", "青溪县孝源镇滨河路16号", "黄志明"),
    OrgSpec("dingchu", "bidder", "浙江鼎厨厨房设备有限公司", "91330599MA2K1L4U2", "bidder5", "徐美玲",
            "13905721005", "青溪县递铺街道科技园路7号", "徐光明"),
    OrgSpec("meijia", "bidder", "湖州美家厨具设备有限公司", "91330500MA2M2N5W6", "bidder6", "马晓燕",
            "13905721006", "湖州市吴兴区织里镇大港路51号", "马永强"),
    OrgSpec("anju", "bidder", "青溪县安居物业服务有限公司", "91330599MA2P3Q6X9", "bidder7", "何静",
            "13905721007", "青溪县递铺街道浦源大道210号", "何建新"),
    OrgSpec("yueting", "bidder", "湖州悦庭物业管理有限公司", "91330500MA2R4T7Y3", "bidder8", "罗文杰",
            "13905721008", "湖州市吴兴区青铜路67号", "罗文杰"),
    OrgSpec("zhuhai", "bidder", "青溪县竹海农业开发有限公司", "91330599MA2U5W8A7", "bidder9", "郭春生",
            "13905721009", "青溪县孝源镇横溪村竹园路2号", "郭春生"),
    OrgSpec("yuanhang", "bidder", "浙江远航环境科技有限公司", "91330599MA2X6Y9B1", "bidder10", "谢丽华",
            "13905721010", "青溪县经济开发区创业路19号", "谢文斌", outcome="pending"),
    OrgSpec("xinrui", "bidder", "青溪县新锐建材有限公司", "91330599MA2Y7A1C5", "bidder11", "韩冬",
            "13905721011", "青溪县梅溪镇工业功能区3号", "韩冬", outcome="pending"),
    OrgSpec("suda", "bidder", "青溪县速达商贸有限公司", "91330599MA2A8B2D9", "bidder12", "曹磊",
            "13905721012", "青溪县递铺街道东大街101号", "曹磊", outcome="rejected",
            review_note="上传的营业执照副本扫描件不清晰，且营业执照上的统一社会信用代码与填报的不一致。"
                        "请上传清晰的营业执照副本并核对统一社会信用代码后重新提交。"),
]

ALL = ENROLLED + REGISTERED
