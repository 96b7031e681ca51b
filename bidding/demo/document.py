"""The demo's tender documents (招标文件) and clarifications, rendered to PDF with WeasyPrint.

The CJK glyphs come from Debian's fonts-noto-cjk (installed by scripts/setup)."""

from __future__ import annotations

from django.conf import settings
from django.template import Context, Engine

from bidding.models import Category, Method, Tender

STYLE = """
@page { size: A4; margin: 2.2cm 2cm;
        @bottom-center { content: "— " counter(page) " —"; font-size: 9pt; color: #555; } }
@page :first { @bottom-center { content: none; } }
body { font-family: "Noto Serif CJK SC", "Noto Serif CJK", serif; font-size: 11pt; line-height: 1.7; }
h1, h2, h3, .cover { font-family: "Noto Sans CJK SC", "Noto Sans CJK", sans-serif; }
.cover { page-break-after: always; text-align: center; padding-top: 5cm; }
.cover .owner { font-size: 16pt; }
.cover .title { font-size: 22pt; font-weight: bold; margin: 1.2cm 0 0.6cm; }
.cover .kind { font-size: 30pt; font-weight: bold; letter-spacing: 0.3em; margin-bottom: 4cm; }
.cover table { margin: 0 auto; font-size: 13pt; text-align: left; }
.cover td { padding: 0.15cm 0.3cm; }
h1 { font-size: 16pt; text-align: center; margin: 0.8cm 0 0.4cm; }
h2 { font-size: 12.5pt; margin: 0.5cm 0 0.2cm; }
table.grid { width: 100%; border-collapse: collapse; margin: 0.2cm 0; font-size: 10.5pt; }
table.grid th, table.grid td { border: 0.5pt solid #333; padding: 0.12cm 0.2cm; }
table.grid th { background: #eee; font-family: "Noto Sans CJK SC", sans-serif; font-weight: normal; }
td.num { text-align: right; white-space: nowrap; }
p { margin: 0.15cm 0; text-indent: 2em; }
p.plain { text-indent: 0; }
.chapter { page-break-before: always; }
"""

TENDER_TEMPLATE = """{% load platform %}<html lang="zh-CN"><head><meta charset="utf-8"><style>{{ style|safe }}</style></head><body>
<div class="cover">
  <div class="owner">{{ tender.tenderer.name }}</div>
  <div class="title">{{ tender.title }}</div>
  <div class="kind">{{ kind }}</div>
  <table>
    <tr><td>项目编号：</td><td>{{ tender.reference }}</td></tr>
    <tr><td>招 标 人：</td><td>{{ tender.tenderer.name }}</td></tr>
    <tr><td>招标代理机构：</td><td>{% if tender.agency %}{{ tender.agency.name }}{% else %}（自行招标）{% endif %}</td></tr>
    <tr><td>日　　期：</td><td>{{ tender.publish_at|date:"Y年n月j日" }}</td></tr>
  </table>
</div>

<h1>第一章　{{ notice }}</h1>
<h2>一、项目概况</h2>
<p>{{ tender.tenderer.name }}的{{ tender.title }}已具备招标条件，现采用{{ method }}方式进行{{ category }}，
通过{{ platform }}实行全流程电子化交易和“不见面”开标。</p>
<p>{{ tender.description }}</p>
<table class="grid">
  <tr><th>项目编号</th><td>{{ tender.reference }}</td><th>项目地点</th><td>{{ tender.region }}</td></tr>
  <tr><th>预算金额</th><td colspan="3">{{ budget }}（{{ tender.budget|wan_yuan }}）</td></tr>
</table>
<h2>二、标段（包）划分</h2>
<table class="grid">
  <tr><th>标段</th><th>名称</th><th>预算金额（元）</th><th>最高投标限价（元）</th></tr>
  {% for lot in lots %}<tr><td>{{ lot.number }}</td><td>{{ lot.name }}</td>
  <td class="num">{{ lot.budget_text }}</td><td class="num">{{ lot.ceiling_text }}</td></tr>{% endfor %}
</table>
<h2>三、投标人资格要求</h2>
{% for item in qualifications %}<p>{{ forloop.counter }}. {{ item }}；</p>{% endfor %}
<p>{{ qualifications|length|add:1 }}. 未被列入“信用中国”网站失信被执行人、重大税收违法失信主体名单；</p>
<p>{{ qualifications|length|add:2 }}. 本项目不接受联合体投标。</p>
<h2>四、招标文件的获取</h2>
<p>自公告发布之日起，潜在投标人登录{{ platform }}免费下载招标文件及其澄清、修改，不再出售纸质文件。</p>
<h2>五、时间安排</h2>
<table class="grid">
  <tr><th>公告发布时间</th><td>{{ tender.publish_at|date:"Y-m-d H:i" }}</td></tr>
  <tr><th>澄清（答疑）截止时间</th><td>{{ tender.clarification_deadline|date:"Y-m-d H:i" }}</td></tr>
  <tr><th>投标截止时间（开标时间）</th><td>{{ tender.bid_deadline|date:"Y-m-d H:i" }}（以平台服务器时间为准）</td></tr>
  <tr><th>投标文件解密时限</th><td>开标开始后 {{ tender.decryption_window_minutes }} 分钟内</td></tr>
  {% if tender.evaluation_planned_at %}<tr><th>计划评标时间</th><td>{{ tender.evaluation_planned_at|date:"Y-m-d H:i" }}</td></tr>{% endif %}
</table>
<h2>六、开标方式</h2>
<p>本项目实行“不见面”开标，投标人无需到达开标现场。投标人应在投标截止时间前通过平台递交加密的电子投标文件，
并在开标时于解密时限内在线解密；因投标人原因未在规定时限内解密的，视为撤回投标文件。</p>
<h2>七、联系方式</h2>
<table class="grid">
  <tr><th>招标人</th><td>{{ tender.tenderer.name }}</td><td>{{ tender.tenderer.contact_name }}</td><td>{{ tender.tenderer.contact_phone }}</td></tr>
  {% if tender.agency %}<tr><th>招标代理机构</th><td>{{ tender.agency.name }}</td><td>{{ tender.agency.contact_name }}</td><td>{{ tender.agency.contact_phone }}</td></tr>{% endif %}
  <tr><th>交易中心</th><td>{{ platform }}</td><td colspan="2">技术支持：平台服务热线</td></tr>
</table>

<div class="chapter"><h1>第二章　投标人须知</h1></div>
<p class="plain">1. 投标文件应使用平台投标工具或浏览器在本地加密后递交，平台在开标前无法读取任何投标内容。</p>
<p class="plain">2. 投标截止时间以平台服务器时间为准，逾期递交的投标文件，平台将拒收。</p>
<p class="plain">3. 投标人可在投标截止时间前修改或撤回已递交的投标文件，以最后一次成功递交并取得回执的为准。</p>
<p class="plain">4. 投标人应妥善保管用于解密的私钥；平台对每一次递交签发电子回执，投标人可凭回执证明递交内容与时间。</p>
<p class="plain">5. 有效投标人不足三家的，不予开标，招标人依法重新组织招标。</p>
<p class="plain">6. 投标人对招标文件有疑问的，应在澄清截止时间前通过平台提出；招标人的澄清和修改通过平台发布，构成招标文件的组成部分。</p>

<div class="chapter"><h1>第三章　评标办法</h1></div>
<p>{{ evaluation }}</p>
<p>评标委员会由招标人代表和从评标专家库中随机抽取的专家组成，专家人数为五人及以上单数，实行远程异地评标。</p>

<div class="chapter"><h1>第四章　合同主要条款</h1></div>
<p class="plain">1. 合同价款：以中标价为签约合同价。</p>
<p class="plain">2. 付款方式：合同签订后支付合同价款的30%作为预付款，完工（或服务期满）验收合格后支付至97%，余款作为质量保证金。</p>
<p class="plain">3. 中标人不得将中标项目转包，未经招标人同意不得分包。</p>

<div class="chapter"><h1>第五章　{% if tender.category == "works" %}工程量清单及技术要求{% else %}采购需求{% endif %}</h1></div>
{% for lot in lots %}<h2>{{ lot.number }}. {{ lot.name }}</h2>
<p>{{ lot.description }}</p>
<p>预算金额 {{ lot.budget_text }}，最高投标限价 {{ lot.ceiling_text }}，投标报价超过最高投标限价的，其投标无效。</p>{% endfor %}
</body></html>"""

CLARIFICATION_TEMPLATE = """<html lang="zh-CN"><head><meta charset="utf-8"><style>{{ style|safe }}</style></head><body>
<h1>{{ title }}</h1>
<p class="plain">项目名称：{{ tender.title }}</p>
<p class="plain">项目编号：{{ tender.reference }}</p>
<p class="plain">各潜在投标人：</p>
{% for line in lines %}<p>{{ line }}</p>{% endfor %}
<p class="plain" style="text-align:right; margin-top:1cm">{{ tender.tenderer.name }}<br>
{% if tender.agency %}{{ tender.agency.name }}<br>{% endif %}{{ published|date:"Y年n月j日" }}</p>
</body></html>"""

EVALUATION = {
    "works": "本项目采用经评审的最低投标价法：投标文件满足招标文件实质性要求，且经评审的投标价格最低（但不低于其成本）"
             "的投标人推荐为第一中标候选人。",
    "government": "本项目采用综合评分法：价格分30分，技术分55分，商务分15分。价格分采用低价优先法计算，"
                  "即满足要求且报价最低的为评标基准价，其价格分为满分。",
    "land": "本项目以报价最高者为承租人；报价相同的，以先递交者为准。",
}

def _yuan(amount) -> str:
    """Amounts as Chinese tender documents print them: 1,234,567.50 元."""
    return f"{amount:,.2f} 元"


_engine = Engine(builtins=["core.templatetags.platform"], libraries={"platform": "core.templatetags.platform"})


def _render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def _document_kind(tender: Tender) -> tuple[str, str]:
    """What the document and its notice are called for this method (招标文件 / 采购文件 …)."""
    if tender.method == Method.CONSULTATION:
        return "竞争性磋商文件", "竞争性磋商公告"
    if tender.method == Method.INQUIRY:
        return "询价通知书", "询价公告"
    if tender.category == Category.GOVERNMENT:
        return "采购文件", "采购公告"
    return "招标文件", "招标公告"


def tender_document_pdf(tender: Tender, *, platform: str, qualifications: list[str]) -> bytes:
    kind, notice = _document_kind(tender)
    method = str(Method(tender.method).label).split("(")[-1].rstrip(")")
    category = {"works": "工程招标", "government": "政府采购", "land": "土地经营权租赁"}.get(tender.category, "交易")
    context = Context({
        "style": STYLE, "tender": tender, "budget": _yuan(tender.budget),
        "lots": [{"number": lot.number, "name": lot.name, "description": lot.description,
                  "budget_text": _yuan(lot.budget), "ceiling_text": _yuan(lot.ceiling_price)}
                 for lot in tender.lots.all()], "kind": kind, "notice": notice,
        "method": method, "category": category, "platform": platform,
        "qualifications": qualifications, "evaluation": EVALUATION.get(tender.category, EVALUATION["government"]),
    })
    return _render_pdf(_engine.from_string(TENDER_TEMPLATE).render(context))


def clarification_pdf(tender: Tender, *, title: str, body: str, published) -> bytes:
    context = Context({"style": STYLE, "tender": tender, "title": title, "published": published,
                       "lines": [line for line in body.splitlines() if line.strip()]})
    return _render_pdf(_engine.from_string(CLARIFICATION_TEMPLATE).render(context))
