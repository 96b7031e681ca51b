"""The evaluation report (评标报告) and the members' remote signatures (RULES X8, M6).

- ``report_generate``: the leader, at the summary, once every flag has the committee's recorded decision,
  renders the report in Chinese (WeasyPrint) and stores it; the evaluation moves to signing.
- ``signing_code_send`` / ``report_sign``: each member confirms with a one-time code sent by e-mail, then
  signs (a PAdES signature under a certificate the platform CA issues for this one signature, appended as an
  incremental update), signs with a dissent (the objection and its reasons in the signature's reason), or
  refuses (recorded, no signature: deemed agreement). ``signature_absence_record``: after
  EVALUATION_SIGNING_WAIT_MINUTES the leader or the host records a member who did neither (the same, RULES
  X8). When every member has acted, the platform signs last and the evaluation is reported.
- ``report_for``: the report names the members, so until the award it is served only to those who may see
  the names (the committee and the regulator, RULES X5). ``report_copy_publish`` makes, once the report is
  complete, a copy naming members by seat and showing how each signed, signed by the platform: what the
  tenderer and its agency read before the award (``report_document``), since the report goes to the tenderer.

Rendering is the slow part: a report of 50 bids × 9 members × 30 criteria has ~14 000 scores, and WeasyPrint
spends about 2 ms on every element. So the wide matrices (each member's sheet, the summary) are drawn as
monospaced text grids, a few elements per ten rows, ruled by one small SVG drawn behind each block; the other
tables are ordinary HTML tables whose rows are built here, not in template loops."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bidding.hall import readout_row
from bidding.models import OPENED_STATUSES, Opening
from bidding.permissions import is_operator, is_party
from bidding.services.opening_record import RESULT_CN, VIA_CN
from core import clock, lottery
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from core.pdfsign import issue_certificate, sign_pdf
from evaluation import scoring
from evaluation.models import (
    Committee,
    Correction,
    CriterionKind,
    Flag,
    Member,
    Method,
    OneTimeCode,
    Question,
    Report,
    Result,
    ReviewMark,
    Score,
    ScoredBy,
    Sheet,
    Signature,
    SignatureKind,
    Stage,
    Step,
)
from evaluation.permissions import EvalAction, committee_can, member_of
from evaluation.services.committees import committee_for, tie_seed
from evaluation.services.stages import broadcast, stage_move
from evaluation.services.work import spec_of
from witness.services import event_record

logger = logging.getLogger(__name__)
PLATFORM = Actor.system("evaluation-report")
MEMBER_ORGANISATION = "评标委员会成员"  # O= of a member's certificate
CODE_RESEND_SECONDS = 60  # one code a minute per member [INFERRED]; each code allows SIGNING_CODE_MAX_ATTEMPTS tries

METHOD_CN = {"comprehensive": "综合评分法", "lowest_price": "经评审的最低投标价法"}
PROCUREMENT_CN = {"goods": "货物", "services": "服务", "works": "工程"}
CRITERION_KIND_CN = {"price": "价格分（公式计算）", "objective": "客观分", "subjective": "主观分"}
SCORED_BY_CN = {"all": "全体成员", "technical": "技术类成员", "economic": "经济类成员"}
REQUIREMENT_CN = {"qualification": "资格审查", "compliance": "符合性审查"}
BRANCH_CN = {"technical": "技术", "economic": "经济"}
MEMBER_KIND_CN = {"expert": "评标专家", "tenderer": "招标人代表"}
TIE_RULE_CN = {"lottery": "由平台可验证随机抽签确定",
               "technical_first": "技术（非价格）得分高者优先；仍相同的，由平台可验证随机抽签确定"}
TIE_HOW_CN = {scoring.DOCUMENTS: "按招标文件规定的并列处理规则", scoring.LOTTERY: "平台可验证随机抽签"}
FORMULA_CN = {
    "gp_lowest": "低价优先法：以满足招标文件要求且投标价格最低的投标报价为评标基准价，"
                 "价格分 = 评标基准价 ÷ 投标报价 × 价格分值",
    "works_trimmed_mean": "以有效投标报价的算术平均值（投标人较多时去掉最高、最低报价）下浮后为评标基准价，"
                          "投标报价每高于或低于基准价 1% 按规定扣分",
}
FORMULA_PARAM_CN = {"min_bids_to_trim": "去掉最高、最低报价所需的最少投标人数",
                    "trim_count": "去掉最高、最低报价各（家）", "float_percent": "基准价下浮（%）", "above_per_percent": "高于基准价每 1% 扣分",
                    "below_per_percent": "低于基准价每 1% 扣分", "floor": "价格分最低分"}
FLAG_CN = {"abnormally_low": "投标报价明显低于其他投标报价（异常低价）",
           "deviation": "成员评分与其他成员偏差较大（畸高畸低）",
           "objective_inconsistent": "客观评审因素评分不一致"}
CORRECTION_CN = {"addition_error": "分值汇总计算错误", "out_of_range": "分项评分超出评分标准规定的范围",
                 "objective_inconsistent": "客观评审因素评分不一致", "abnormal_score": "经评标委员会认定评分畸高、畸低"}
ORDINAL_CN = ["第一", "第二", "第三", "第四", "第五"]


def _zh(label) -> str:
    """The Chinese part of a label written "English (中文)"."""
    text = str(label)
    match = re.search(r"\(([^()]*[\u4e00-\u9fff][^()]*)\)", text)
    return match.group(1) if match else text


def _t(value, fmt: str = "%Y年%m月%d日 %H:%M:%S") -> str:
    return timezone.localtime(value).strftime(fmt) if value else "—"


def _money(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _pts(value) -> str:
    return "—" if value is None else f"{value:.2f}"


# --- wide tables as monospaced grids ----------------------------------------------------------------------
# One glyph of "Noto Sans Mono CJK SC" is 0.5 em wide for ASCII and 1 em for CJK and the East Asian
# ambiguous symbols used here (√ × …), so a line of text is a row of fixed columns, and the rules are drawn
# behind it at the matching offsets.

GRID_FONT_MAX, GRID_FONT_MIN = 8.5, 6.0  # pt
GRID_ROWS_PER_BLOCK = 10
LANDSCAPE_WIDTH_PT = (297 - 2 * 13) * 72 / 25.4  # A4 across, less the margins of @page wide in the template


@dataclass(frozen=True)
class Col:
    label: str
    align: str = ">"  # ">" right, "<" left, "^" centre
    cap: int | None = None  # the widest a column may grow (text is cut with …)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


def _fit(text: str, width: int, align: str) -> str:
    if _width(text) > width:
        cut, used = [], 0
        for c in text:
            w = _width(c)
            if used + w > width - 2:
                break
            cut.append(c)
            used += w
        text = "".join(cut) + "…"
    pad = width - _width(text)
    if align == ">":
        return " " * pad + text
    if align == "^":
        return " " * (pad // 2) + text + " " * (pad - pad // 2)
    return text + " " * pad


def grid(columns: list[Col], rows: list[list[str]], *, page_width: float = LANDSCAPE_WIDTH_PT,
         keys: int = 2, tail: int = 0) -> list[SafeString]:
    """The rows as one or more text grids (the middle columns split into bands when they would not fit at
    GRID_FONT_MIN; the first `keys` and last `tail` columns are repeated in every band)."""
    widths = [max([_width(c.label)] + [_width(r[i]) for r in rows]) for i, c in enumerate(columns)]
    widths = [min(w, c.cap) if c.cap else w for w, c in zip(widths, columns)]
    key_idx = list(range(keys))
    tail_idx = list(range(len(columns) - tail, len(columns)))
    middle = [i for i in range(keys, len(columns) - tail)]
    room = 2 * (page_width - 2) / GRID_FONT_MIN  # columns of half an em that fit at the smallest font
    fixed = sum(widths[i] + 2 for i in key_idx + tail_idx)
    bands = [middle]
    for count in range(1, len(middle) + 1):  # the fewest bands of about equal size that fit
        size = -(-len(middle) // count)
        bands = [middle[n:n + size] for n in range(0, len(middle), size)]
        if all(fixed + sum(widths[i] + 2 for i in band) <= room for band in bands):
            break
    out = []
    for n, band in enumerate(bands):
        idx = key_idx + band + (tail_idx if n == len(bands) - 1 else [])
        out.append(_grid([columns[i] for i in idx], [widths[i] for i in idx], [[r[i] for i in idx] for r in rows],
                         page_width))
    return out


def _rules(xs: list[float], width: float, height: float, line: float, rows: int) -> str:
    """The ruling of a block as an SVG data URI: a column rule at each x, a row rule under each line. (CSS
    gradients would do too, but thousands of shadings make PDF readers crawl; a drawing is one small object.)"""
    columns = "".join(f'<path d="M{x:.2f} 0V{height:.2f}"/>' for x in xs)
    rows_ = "".join(f'<path d="M0 {line * (k + 1) - .2:.2f}H{width:.2f}"/>' for k in range(rows))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}pt" height="{height:.2f}pt" '
           f'viewBox="0 0 {width:.2f} {height:.2f}"><g stroke="#555" stroke-width=".6">{columns}</g>'
           f'<g stroke="#999" stroke-width=".35">{rows_}</g></svg>')
    return "data:image/svg+xml," + quote(svg, safe="")


def _grid(columns: list[Col], widths: list[int], rows: list[list[str]], page_width: float) -> SafeString:
    starts = [0]
    for w in widths:
        starts.append(starts[-1] + w + 2)
    total = starts[-1]
    size = float(f"{min(GRID_FONT_MAX, 2 * (page_width - 2) / total):.2f}")  # 2 pt for the table's border
    line = round(size * 1.5, 2)
    width = total / 2 * size
    xs = [starts[k] / 2 * size for k in range(1, len(widths))]

    def text(cells: list[str]) -> str:
        return "".join(" " + _fit(c, w, col.align) + " " for c, w, col in zip(cells, widths, columns))

    def style(height_rows: int, ruled_rows: int) -> str:
        return (f"font-size:{size}pt;line-height:{line}pt;width:{width:.2f}pt;"
                f"background-image:url('{_rules(xs, width, line * height_rows, line, ruled_rows)}')")

    # A fixed layout with the width given: WeasyPrint then need not measure every line to size the columns.
    parts = [f'<table class="grid" style="width:{width + 1.4:.2f}pt"><thead><tr><td>'
             f'<pre class="grid head" style="{style(1, 0)}">{escape(text([c.label for c in columns]))}</pre>'
             f'</td></tr></thead><tbody>']
    for start in range(0, len(rows), GRID_ROWS_PER_BLOCK):
        block = rows[start:start + GRID_ROWS_PER_BLOCK]
        parts.append(f'<tr><td><pre class="grid" style="{style(len(block), len(block))}">'
                     f'{escape(chr(10).join(text(r) for r in block))}</pre></td></tr>')
    if not rows:
        parts.append('<tr><td class="empty">无</td></tr>')
    parts.append("</tbody></table>")
    return mark_safe("".join(parts))


def html_rows(rows: list[list]) -> SafeString:
    """Table rows from lists of cells; a cell is text, or (text, css class)."""
    out = []
    for row in rows:
        cells = []
        for cell in row:
            text, cls = cell if isinstance(cell, tuple) else (cell, "")
            cells.append(f'<td class="{cls}">{escape(text)}</td>' if cls else f"<td>{escape(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("".join(out))


# --- the content ----------------------------------------------------------------------------------------------

@dataclass
class _Source:
    """What the report is made from, each read once."""

    committee: Committee
    members: list
    requirements: list
    criteria: list
    opening: Opening
    listed: list  # every bid at the opening, in order received
    opened: list  # those opened, the ones evaluated
    results: dict  # bid id -> Result
    number: dict  # bid id -> the number the report gives it
    bidder: dict  # bid id -> bidder name
    code: dict  # criterion id -> C1, C2 …
    names: bool = True  # False: the copy for the tenderer before the award, members by seat only

    def who(self, member) -> str:
        """A member as the report names them: the name, or in the nameless copy the seat."""
        if member is None:
            return "—"
        return member.name if self.names else f"成员{member.position}"

    @classmethod
    def load(cls, committee: Committee, names: bool = True) -> "_Source":
        scheme = committee.lot.scheme
        criteria = list(scheme.criteria.order_by("position"))
        opening = Opening.objects.get(lot=committee.lot)
        listed = list(opening.bids.select_related("bid__bidder").order_by("bid__received_at", "pk"))
        opened = [o for o in listed if o.status in OPENED_STATUSES]
        return cls(committee=committee, members=list(committee.members.select_related("expert").order_by("position")),
                   requirements=list(scheme.requirements.order_by("position")), criteria=criteria,
                   opening=opening, listed=listed, opened=opened,
                   results={r.bid_id: r for r in Result.objects.filter(committee=committee)},
                   number={o.bid_id: n for n, o in enumerate(opened, start=1)},
                   bidder={o.bid_id: o.bid.bidder.name for o in listed},
                   code={c.pk: f"C{n}" for n, c in enumerate(criteria, start=1)}, names=names)

    @property
    def comprehensive(self) -> bool:
        return self.committee.lot.scheme.method == Method.COMPREHENSIVE

    @property
    def scored(self) -> list:
        return [c for c in self.criteria if c.kind != CriterionKind.PRICE]

    @property
    def price_criterion(self):
        return next((c for c in self.criteria if c.kind == CriterionKind.PRICE), None)

    @property
    def compliant(self) -> list[int]:
        return [o.bid_id for o in self.opened if o.bid_id in self.results and self.results[o.bid_id].compliant]

    @property
    def ranked(self) -> list[Result]:
        return sorted((r for r in self.results.values() if r.rank is not None),
                      key=lambda r: (r.rank, self.number[r.bid_id]))

    def label(self, bid_id: int) -> str:
        return f"{self.number[bid_id]} {self.bidder[bid_id]}"


def _basic_facts(src: _Source) -> SafeString:
    committee, lot, tender, draw = src.committee, src.committee.lot, src.committee.lot.tender, src.committee.draw
    facts = [
        ("项目名称", tender.title), ("项目编号", tender.reference or "—"),
        ("标段（包）", lot.name if str(lot.number) in lot.name else f"{lot.name}（第 {lot.number} 标段）"),
        ("招标方式", _zh(tender.get_method_display())),
        ("招标人", tender.tenderer.name), ("招标代理机构", tender.agency.name if tender.agency else "—（招标人自行组织）"),
        ("项目预算", f"{_money(tender.budget)} 元"), ("本标段预算", f"{_money(lot.budget)} 元"),
        ("最高投标限价", f"{_money(lot.ceiling_price)} 元"), ("开标时间", _t(src.opening.began_at)),
        ("评标时间", f"{_t(draw.evaluation_at, '%Y年%m月%d日 %H:%M')}（委员会组建 {_t(committee.formed_at)}，"
                     f"评分汇总 {_t(committee.summarised_at)}）"),
        ("评标地点", (draw.evaluation_place or "—") + ("（远程异地评标）" if draw.remote else "")),
    ]
    return html_rows([[(a, "th"), b, (c, "th"), d] for (a, b), (c, d) in zip(facts[::2], facts[1::2])])


def _committee_rows(src: _Source) -> SafeString:
    return html_rows([[str(m.position), src.who(m), "组长" if m.is_leader else "成员", MEMBER_KIND_CN.get(m.kind, m.kind),
                       BRANCH_CN.get(m.branch, m.branch),
                       (m.expert.employer_name if m.expert else "—") if src.names else "（中标结果确定后公布）",
                       _zh(m.expert.get_title_display()) if m.expert else "—"] for m in src.members])


def _opening_rows(src: _Source) -> SafeString:
    rows = []
    for o in src.listed:
        if o.status in OPENED_STATUSES:
            read = readout_row(o)
            rows.append([str(src.number[o.bid_id]), o.bid.bidder.name, (read["price"] or "—", "num"),
                         read.get("duration_days") or "—", read.get("quality") or "—", VIA_CN.get(o.status, o.status),
                         (o.bid.sha256, "hash")])
        else:
            rows.append(["—", o.bid.bidder.name, "—", "—", "—",
                         f"{RESULT_CN.get(o.status, o.get_status_display())}：{o.failure_cause or '—'}",
                         (o.bid.sha256, "hash")])
    return html_rows(rows)


def _method(src: _Source) -> dict:
    scheme = src.committee.lot.scheme
    formula = ""
    if src.price_criterion is not None and scheme.price_formula:
        formula = FORMULA_CN.get(scheme.price_formula, scheme.price_formula)
        params = scoring.formula_for(scheme.price_formula).clean(scheme.formula_params)[0]
        if params:
            formula += "（" + "；".join(f"{FORMULA_PARAM_CN.get(k, k)}：{v}" for k, v in params.items()) + "）"
    return {
        "method_facts": html_rows([
            [("评标办法", "th"), METHOD_CN.get(scheme.method, scheme.method), ("采购类别", "th"),
             PROCUREMENT_CN.get(scheme.procurement_kind, scheme.procurement_kind)],
            [("价格分计算方法", "th"), formula or "—", ("得分相同的处理", "th"),
             TIE_RULE_CN.get(scheme.tie_rule, scheme.tie_rule)]]),
        "requirement_rows": html_rows([[f"R{n}", REQUIREMENT_CN.get(r.kind, r.kind), r.name]
                                       for n, r in enumerate(src.requirements, start=1)]),
        "criterion_rows": html_rows([
            [src.code[c.pk], c.name, CRITERION_KIND_CN.get(c.kind, c.kind), (_pts(c.max_points), "num"),
             "平台按公式计算" if c.kind == CriterionKind.PRICE else SCORED_BY_CN.get(c.scored_by, c.scored_by)]
            for c in src.criteria]),
    }


def _question_rows(src: _Source) -> SafeString:
    questions = Question.objects.filter(committee=src.committee).select_related("bid__bidder", "asked_by")
    return html_rows([[q.bid.bidder.name, src.who(q.asked_by), _t(q.asked_at, "%m-%d %H:%M"), q.text,
                       _t(q.answer_by, "%m-%d %H:%M"), q.answer or "未在期限内答复",
                       _t(q.answered_at, "%m-%d %H:%M") if q.answered_at else "—"] for q in questions])


def _review(src: _Source) -> dict:
    """The committee's conclusion per bid (the majority of the members on each requirement) and why bids failed."""
    rows, rejected = [], []
    for o in src.opened:
        r = src.results.get(o.bid_id)
        failed = (r.failed_requirements if r else []) or []
        rows.append([str(src.number[o.bid_id]), o.bid.bidder.name,
                     ("通过", "") if r and r.compliant else ("未通过", "bad"),
                     "；".join(f["requirement"] for f in failed) or "—"])
        for f in failed:
            rejected.append([str(src.number[o.bid_id]), o.bid.bidder.name, f["requirement"],
                             f"{f.get('passes', '—')}/{f.get('members', '—')}",
                             "；".join(f.get("reasons") or []) or "—"])
    return {"review_rows": html_rows(rows), "rejected_rows": html_rows(rejected)}


def _member_sheets(src: _Source, points: dict, corrected: set) -> list[dict]:
    """Each member's review marks and scores, a grid each, as submitted (corrected scores marked *)."""
    sheets = {(s.member_id, s.step): s for s in Sheet.objects.filter(member__committee=src.committee)}
    marks: dict = defaultdict(dict)
    for member_id, bid_id, req_id, passed, reason in ReviewMark.objects.filter(
            sheet__member__committee=src.committee).values_list(
            "sheet__member_id", "bid_id", "requirement_id", "passed", "reason"):
        marks[member_id][(bid_id, req_id)] = (passed, reason)
    req_code = {r.pk: f"R{n}" for n, r in enumerate(src.requirements, start=1)}
    compliant = src.compliant
    out = []
    for m in src.members:
        mine, rows, reasons = marks.get(m.pk, {}), [], []
        for o in src.opened:
            cells = []
            for req in src.requirements:
                passed, reason = mine.get((o.bid_id, req.pk), (None, ""))
                cells.append("" if passed is None else "√" if passed else "×")
                if passed is False:
                    reasons.append(f"{src.label(o.bid_id)} · {req_code[req.pk]}：{reason or '—'}")
            rows.append([str(src.number[o.bid_id]), o.bid.bidder.name, *cells,
                         "合格" if all(c == "√" for c in cells) else "不合格"])
        review = grid([Col("编号"), Col("投标人", "<", cap=28), *[Col(req_code[r.pk], "^") for r in src.requirements],
                       Col("结论", "^")], rows, tail=1)
        scores = []
        if src.comprehensive:
            theirs = {c.pk for c in src.scored if c.scored_by in (ScoredBy.ALL, m.branch)}
            given = points.get(m.pk, {})
            rows = []
            for bid_id in compliant:
                cells = []
                for c in src.scored:
                    value = given.get((bid_id, c.pk))
                    cells.append("/" if c.pk not in theirs else "" if value is None else
                                 _pts(value) + ("*" if (m.pk, bid_id, c.pk) in corrected else ""))
                subtotal = sum((given.get((bid_id, pk)) or 0 for pk in theirs), 0)
                rows.append([str(src.number[bid_id]), src.bidder[bid_id], *cells, _pts(subtotal)])
            scores = grid([Col("编号"), Col("投标人", "<", cap=28), *[Col(src.code[c.pk]) for c in src.scored],
                           Col("小计")], rows, tail=1)
        review_sheet, score_sheet = sheets.get((m.pk, Step.REVIEW)), sheets.get((m.pk, Step.SCORING))
        out.append({"member": m, "who": src.who(m), "review": review, "reasons": reasons, "scores": scores,
                    "review_at": _t(review_sheet.submitted_at) if review_sheet else "—",
                    "review_sha256": review_sheet.sha256 if review_sheet else "",
                    "scoring_at": _t(score_sheet.submitted_at) if score_sheet else "—",
                    "scoring_sha256": score_sheet.sha256 if score_sheet else ""})
    return out


def _summary(src: _Source, points: dict) -> list[SafeString]:
    """Per bid: the price, the price points, each criterion's mean (evaluation.scoring.aggregate, as the summary
    computed them), the total and the rank; the bids that failed the review last."""
    comprehensive, price_criterion, compliant = src.comprehensive, src.price_criterion, src.compliant
    means: dict = {}
    if comprehensive and compliant:
        specs = [spec_of(c) if c.kind == CriterionKind.PRICE else spec_of(c, frozenset(
            m.pk for m in src.members if c.scored_by in (ScoredBy.ALL, m.branch))) for c in src.criteria]
        sheets = {m.pk: {bid: {c.pk: points[m.pk][(bid, c.pk)] for c in src.scored
                               if (bid, c.pk) in points.get(m.pk, {})} for bid in compliant} for m in src.members}
        price_points = ({bid: src.results[bid].price_score for bid in compliant} if price_criterion else None)
        means = {bid: s.by_criterion for bid, s in
                 scoring.aggregate(sheets, criteria=specs, price_points=price_points).items()}
    ranked = [r.bid_id for r in src.ranked]
    rows = []
    for bid_id in ranked + [o.bid_id for o in src.opened if o.bid_id not in set(ranked)]:
        r = src.results.get(bid_id)
        ok = r is not None and r.compliant and r.rank is not None
        row = [str(r.rank) if ok else "—", str(src.number[bid_id]), src.bidder[bid_id], _money(r.price if r else None)]
        if comprehensive:
            if price_criterion is not None:
                row.append(_pts(r.price_score) if ok else "—")
            row += [_pts(means[bid_id][c.pk]) if ok and bid_id in means else "—" for c in src.scored]
            row.append(_pts(r.total) if ok else "未通过评审")
        else:
            row.append(_money(_evaluated(r)) if ok else "未通过评审")
        row.append("是" if ok and r.recommended else "")
        rows.append(row)
    columns = [Col("排名"), Col("编号"), Col("投标人", "<", cap=24), Col("报价（元）")]
    if comprehensive:
        if price_criterion is not None:
            columns.append(Col(f"{src.code[price_criterion.pk]}价格分"))
        columns += [Col(src.code[c.pk]) for c in src.scored] + [Col("总分")]
    else:
        columns.append(Col("评标价（元）"))
    columns.append(Col("推荐", "^"))
    return grid(columns, rows, keys=3, tail=2 if comprehensive else 3)


def _evaluated(result: Result):
    """最低评标价法: the evaluated price (the price, no adjustments being recorded)."""
    return result.total if result.total is not None else result.price


def _flag_rows(src: _Source) -> SafeString:
    flags = Flag.objects.filter(committee=src.committee).select_related("bid__bidder", "member", "decided_by")
    by_id = {c.pk: c for c in src.criteria}
    return html_rows([[FLAG_CN.get(f.kind, f.kind), f.bid.bidder.name, src.who(f.member),
                       _flag_text(f, src.results.get(f.bid_id), src.committee.lot, by_id, src.code, src.who),
                       f.decision or "未决定",
                       f"{src.who(f.decided_by)}，{_t(f.decided_at, '%m-%d %H:%M')}"]
                      for f in flags])


def _correction_rows(src: _Source, corrections: list) -> SafeString:
    return html_rows([[src.who(c.score.sheet.member), c.score.bid.bidder.name,
                       f"{src.code[c.score.criterion_id]} {c.score.criterion.name}", CORRECTION_CN.get(c.kind, c.kind),
                       (_pts(c.before), "num"), (_pts(c.after), "num"), c.reason,
                       f"{src.who(c.recorded_by)}，{_t(c.recorded_at, '%m-%d %H:%M')}"] for c in corrections])


def _tie_rows(src: _Source, seed: bytes) -> SafeString:
    """Bids the method's order left equal, and what separated them (the documents' rule or the lottery)."""
    groups: dict = defaultdict(list)
    for r in src.ranked:
        if r.tie_broken_by:
            groups[(r.total, r.price) if src.comprehensive else (r.price,)].append(r)
    rows = []
    for group in groups.values():
        rows.append(["、".join(src.label(r.bid_id) for r in group),
                     (f"总分 {_pts(group[0].total)}，报价 {_money(group[0].price)}" if src.comprehensive
                      else f"评标价 {_money(group[0].price)}"),
                     "；".join(TIE_HOW_CN.get(h, h) for h in sorted({r.tie_broken_by for r in group})),
                     "，".join(f"第{r.rank}名：{src.number[r.bid_id]}（平台编号 {r.bid_id}，"
                              f"HMAC {lottery.score(seed, r.bid_id)[:16]}…）" for r in group)])
    return html_rows(rows)


def _conclusion(src: _Source) -> dict:
    ranked = src.ranked
    candidates = [r for r in ranked if r.recommended][:settings.EVALUATION_MAX_CANDIDATES]  # RULES M6
    place = {r.bid_id: n for n, r in enumerate(candidates)}
    total = (lambda r: _pts(r.total)) if src.comprehensive else (lambda r: _money(_evaluated(r)))
    return {
        "ranking_rows": html_rows([[str(r.rank), str(src.number[r.bid_id]), src.bidder[r.bid_id],
                                    (_money(r.price), "num"), (total(r), "num"),
                                    f"{ORDINAL_CN[place[r.bid_id]]}中标候选人" if r.bid_id in place else "—"]
                                   for r in ranked]),
        "candidate_lines": [f"{ORDINAL_CN[n]}中标候选人：{src.bidder[r.bid_id]}，投标报价 {_money(r.price)} 元，"
                            + (f"综合得分 {_pts(r.total)} 分" if src.comprehensive else f"评标价 {_money(_evaluated(r))} 元")
                            for n, r in enumerate(candidates)],
    }


def report_context(committee: Committee, names: bool = True) -> dict:
    """Everything the report shows, read in a fixed number of queries and laid out as rows. `names=False`: the
    copy for the tenderer and its agency before the award, each member named by seat only (DESIGN §4.5)."""
    src = _Source.load(committee, names=names)
    points: dict = defaultdict(dict)
    for member_id, bid_id, criterion_id, value in Score.objects.filter(
            sheet__member__committee=committee, sheet__step=Step.SCORING).values_list(
            "sheet__member_id", "bid_id", "criterion_id", "points"):
        points[member_id][(bid_id, criterion_id)] = value
    corrections = list(Correction.objects.filter(committee=committee).select_related(
        "score__sheet__member", "score__criterion", "score__bid__bidder", "recorded_by").order_by("recorded_at", "pk"))
    corrected = {(c.score.sheet.member_id, c.score.bid_id, c.score.criterion_id) for c in corrections}
    seed = tie_seed(committee)
    compliant = len(src.compliant)
    return {
        "tender": committee.lot.tender, "lot": committee.lot, "committee": committee,
        "platform": settings.PLATFORM_NAME, "generated_at": _t(clock.now()), "comprehensive": src.comprehensive,
        "leader": next((src.who(m) for m in src.members if m.is_leader), None), "names": names,
        "facts_rows": _basic_facts(src), "committee_rows": _committee_rows(src),
        "opening": src.opening, "opening_rows": _opening_rows(src), "record_sha256": src.opening.record_sha256 or "—",
        "counts": {"listed": len(src.listed), "opened": len(src.opened), "compliant": compliant,
                   "rejected": len(src.opened) - compliant},
        **_method(src), "question_rows": _question_rows(src), **_review(src),
        "member_sheets": _member_sheets(src, points, corrected), "summary": _summary(src, points),
        "price_code": src.code[src.price_criterion.pk] if src.price_criterion else "",
        "flag_rows": _flag_rows(src), "correction_rows": _correction_rows(src, corrections),
        "tie_rows": _tie_rows(src, seed), "tie_seed_sha256": committee.tie_seed_sha256, "tie_seed": seed.hex(),
        **_conclusion(src),
        "signers": html_rows([[str(m.position), src.who(m), "组长" if m.is_leader else "成员", f"Member{m.position}"]
                              for m in src.members]),
    }


def _pct(ratio) -> str:
    value = Decimal(str(ratio)) * 100
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}"


def _flag_text(flag: Flag, result: Result | None, lot, criteria: dict, code: dict, who=lambda m: m.name) -> str:
    """What the summary found, in the report's words (the flag's own message uses internal ids)."""
    detail = flag.detail or {}
    if flag.kind == "abnormally_low":
        why = {"below_mean": f"低于全部有效投标报价算术平均值的 {_pct(settings.ABNORMAL_LOW_OF_MEAN)}%",
               "below_second_lowest": f"低于次低投标报价的 {_pct(settings.ABNORMAL_LOW_OF_SECOND)}%",
               "below_ceiling": f"低于最高投标限价（{_money(lot.ceiling_price)} 元）的 "
                                f"{_pct(settings.ABNORMAL_LOW_OF_CEILING)}%"}
        reasons = [why[r] for r in detail.get("reasons") or [] if r in why]
        if reasons:
            return f"投标报价 {_money(result.price if result else None)} 元，" + "，且".join(reasons) + "，可能影响履约"
    if flag.kind == "deviation" and detail.get("value") is not None and flag.member is not None:
        return (f"{who(flag.member)}对该投标的评分与其他成员平均分的偏差为可评分值的 {_pct(detail['value'])}%"
                f"（提示阈值 {_pct(settings.SCORE_DEVIATION_THRESHOLD)}%）")
    if flag.kind == "objective_inconsistent" and detail.get("criterion") in criteria:
        c = criteria[detail["criterion"]]
        return f"各成员对客观评审因素 {code[c.pk]} {c.name} 的评分不一致"
    return str(detail.get("message") or "—")


def report_html(committee: Committee) -> str:
    with translation.override("zh-hans"):
        return render_to_string("evaluation/report_pdf.html", report_context(committee))


SIGNED_CN = {SignatureKind.AGREE: "已电子签名，同意评标结论", SignatureKind.DISSENT: "已电子签名，持不同意见：",
             SignatureKind.REFUSED: "拒绝签字且未书面说明不同意见和理由，视为同意评标结果"}


def report_copy_html(report: Report) -> str:
    """The nameless copy of a completed report: the same content, members by seat, and how each signed the
    original (a dissent with its reasons) in place of the signature fields."""
    committee = report.committee
    context = report_context(committee, names=False)
    rows = []
    for s in report.signatures.select_related("member").order_by("member__position"):
        how = SIGNED_CN[s.kind] + (s.dissent if s.kind == SignatureKind.DISSENT else "")
        if s.recorded_by_id is not None:
            how = "未在规定时间内签字或说明不同意见和理由，经记录视为同意评标结果"
        rows.append([str(s.member.position), f"成员{s.member.position}", "组长" if s.member.is_leader else "成员", how,
                     _t(s.signed_at, "%Y-%m-%d %H:%M")])
    context.update(signed_rows=html_rows(rows), original_sha256=report.sha256)
    with translation.override("zh-hans"):
        return render_to_string("evaluation/report_pdf.html", context)


def report_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, page count) of the rendered report."""
    from weasyprint import HTML

    with translation.override("zh-hans"):
        document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
        return document.write_pdf(), len(document.pages)


# --- generating -------------------------------------------------------------------------------------------

def _may_generate(committee: Committee) -> None:
    if committee.stage != Stage.SUMMARY:
        if Report.objects.filter(committee=committee).exists():
            raise IllegalTransition(_("The evaluation report has already been generated."), code="generated")
        raise IllegalTransition(_("The report is generated at the summary; the evaluation is at “%(stage)s”.")
                                % {"stage": committee.get_stage_display()}, code="wrong_stage")
    open_flags = list(Flag.objects.filter(committee=committee, decided_at__isnull=True).select_related("bid__bidder"))
    if open_flags:
        listed = "; ".join(f"{f.get_kind_display()} ({f.bid.bidder.name})" for f in open_flags)
        raise IllegalTransition(ngettext(
            "%(n)d finding still needs the committee's recorded decision before the report: %(list)s.",
            "%(n)d findings still need the committee's recorded decision before the report: %(list)s.",
            len(open_flags)) % {"n": len(open_flags), "list": listed}, code="flags_open")


def _inputs_digest(committee: Committee) -> str:
    """What may still change at the summary while the report renders (decisions, corrections, answers)."""
    state = [list(Flag.objects.filter(committee=committee).order_by("pk").values_list("pk", "decided_at")),
             list(Correction.objects.filter(committee=committee).order_by("pk").values_list("pk", flat=True)),
             list(Question.objects.filter(committee=committee).order_by("pk").values_list("pk", "answered_at")),
             list(Result.objects.filter(committee=committee).order_by("pk").values_list("pk", "total", "rank"))]
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()


def _file_name(committee: Committee, suffix: str) -> str:
    tender = committee.lot.tender
    return f"evaluation-report-{tender.reference or tender.pk}-lot{committee.lot.number}-{suffix}.pdf"


def report_generate(*, actor: Actor, lot_id: int) -> Report:
    """The leader generates the report at the summary, once every flag has a recorded decision; it is stored
    and the evaluation moves on to the members' signatures."""
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.LEAD)
    _may_generate(committee)
    # Rendering takes seconds: done outside the transaction, then checked against what it was rendered from.
    before = _inputs_digest(committee)
    pdf, pages = report_pdf(report_html(committee))
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = Committee.objects.select_for_update().select_related("lot__tender").get(pk=committee.pk)
        _may_generate(locked)
        if _inputs_digest(locked) != before:
            raise IllegalTransition(_("The summary changed while the report was being rendered; generate it again."),
                                    code="changed")
        report = Report(committee=locked, sha256=digest, pages=pages, generated_at=clock.now())
        report.file.save(_file_name(locked, "v1"), ContentFile(pdf), save=False)
        report.save()
        stage_move(actor, locked, Stage.SIGNING, data={"report_sha256": digest, "pages": pages, "size": len(pdf)})
    return report


def report_document(actor: Actor, lot_id: int) -> tuple[Report, object, bool]:
    """(report, file, named) for someone asking to read the report: the signed original for those who may see
    the members' names; for the tenderer and its agency before the award, the nameless copy made once every
    member has signed (the report goes to the tenderer: 招标投标法 art. 40, RULES M7); otherwise refused."""
    committee = committee_for(actor=actor, lot_id=lot_id)
    named = committee_can(actor, committee, EvalAction.SEE_NAMES)
    if not named and not is_party(actor, committee.lot.tender):
        raise PermissionDenied(_("The evaluation report is open to the committee, the regulator, and the tenderer "
                                 "and its agency."))
    report = Report.objects.filter(committee=committee).first()
    if named:
        if report is None:
            raise NotFound(_("The evaluation report has not been generated yet."))
        return report, report.file, True
    if report is None or report.completed_at is None:
        raise NotFound(_("The evaluation report is not complete yet: the tenderer receives it once every member "
                         "has signed."))
    if not report.copy_sha256:
        raise NotFound(_("The tenderer's copy of the evaluation report is being prepared; try again in a minute."))
    return report, report.copy_file, False


def report_copy_publish(report_id: int) -> Report | None:
    """Render the nameless copy of a completed report, sign it as the platform, store and record it (the
    Celery task evaluation.tasks.report_copy_render; idempotent)."""
    report = Report.objects.select_related("committee__lot__tender").filter(pk=report_id).first()
    if report is None or report.completed_at is None or report.copy_sha256:
        return report
    pdf, pages = report_pdf(report_copy_html(report))
    signed = sign_pdf(pdf, field_name="Platform", location=settings.PLATFORM_NAME,
                      reason=f"评标报告副本（评标委员会成员以席位号表示，供招标人在中标结果确定前审阅）；原件 SHA-256 {report.sha256}。")
    digest = hashlib.sha256(signed).hexdigest()
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.copy_sha256:
            return locked
        locked.copy_file.save(_file_name(report.committee, "copy"), ContentFile(signed), save=False)
        locked.copy_sha256 = digest
        locked.save(update_fields=["copy_file", "copy_sha256"])
        event_record(actor=PLATFORM, action="evaluation.report_copy_published", subject=report.committee,
                     tender_id=report.committee.lot.tender_id,
                     data={"report_sha256": report.sha256, "copy_sha256": digest, "pages": pages})
    return locked


def report_for(actor: Actor, lot_id: int) -> Report:
    """The report, for those who may read it: it names the members, so until the award it is open only to
    those who may see their names (the committee and the regulator; RULES X5, DESIGN §4.5)."""
    committee = committee_for(actor=actor, lot_id=lot_id)
    if not committee_can(actor, committee, EvalAction.SEE_NAMES):
        raise PermissionDenied(_("The evaluation report names the committee's members: until the award is final it "
                                 "is open only to the committee and the regulator."))
    report = Report.objects.filter(committee=committee).first()
    if report is None:
        raise NotFound(_("The evaluation report has not been generated yet."))
    return report


# --- signing ----------------------------------------------------------------------------------------------

def _signer(actor: Actor, lot_id: int) -> tuple[Committee, Member, Report]:
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.WORK)
    member = member_of(actor, committee)
    if member is None:
        raise PermissionDenied(_("Only a member of this committee may do this."))
    report = Report.objects.filter(committee=committee).first()
    if committee.stage in (Stage.ELECTING, Stage.REVIEWING, Stage.SCORING, Stage.SUMMARY) or report is None:
        raise IllegalTransition(_("The evaluation report has not been generated yet; it is signed once the leader "
                                  "has generated it."), code="not_generated")
    if committee.stage != Stage.SIGNING:
        raise IllegalTransition(_("Every member has already signed the evaluation report or refused to."),
                                code="completed")
    done = Signature.objects.filter(member=member).first()
    if done is not None:
        raise IllegalTransition(_("You already %(act)s the evaluation report at %(t)s; a member signs once.")
                                % {"act": _("refused to sign") if done.kind == SignatureKind.REFUSED else _("signed"),
                                   "t": _t(done.signed_at, "%Y-%m-%d %H:%M:%S")}, code="already_signed")
    return committee, member, report


def _code_hash(member: Member, code: str) -> str:
    return salted_hmac("evaluation.signing-code", f"{member.pk}:{code}", algorithm="sha256").hexdigest()


def signing_code_send(*, actor: Actor, lot_id: int) -> None:
    """A member asks for a one-time code to confirm a signature; it is e-mailed after commit. Only the latest
    code counts."""
    committee, member, report = _signer(actor, lot_id)
    email = member.user.email
    if not email:
        raise DomainError(_("Your account has no e-mail address to send the code to; add one in your profile."),
                          code="no_email")
    now = clock.now()
    with transaction.atomic():
        Member.objects.select_for_update().get(pk=member.pk)  # one code at a time per member
        last = OneTimeCode.objects.filter(member=member).order_by("-created_at", "-pk").first()
        if last is not None and now < last.created_at + timedelta(seconds=CODE_RESEND_SECONDS):
            raise DomainError(_("A code was sent at %(t)s; ask for a new one after a minute.")
                              % {"t": _t(last.created_at, "%H:%M:%S")}, code="too_soon")
        code = f"{secrets.randbelow(10 ** 6):06d}"
        expires = now + timedelta(minutes=settings.SIGNING_CODE_MINUTES)
        OneTimeCode.objects.create(member=member, code_hash=_code_hash(member, code), created_at=now,
                                   expires_at=expires)
        event_record(actor=actor, action="evaluation.signing_code_sent", subject=committee,
                     tender_id=committee.lot.tender_id, data={"member": member.position, "expires_at": expires})
        lot, tender = committee.lot, committee.lot.tender
        subject = _("Your code to sign the evaluation report: %(tender)s, lot %(lot)s") % {
            "tender": tender.title, "lot": lot.number}
        body = _("Your one-time code: %(code)s\n\n"
                 "It confirms your signature on the evaluation report of %(tender)s, lot %(lot)s (SHA-256 of the "
                 "report: %(sha)s). It is valid until %(until)s and may be tried %(attempts)d times.\n"
                 "If you did not ask for it, tell the platform at once.") % {
            "code": code, "tender": tender.title, "lot": lot.number, "sha": report.sha256,
            "until": _t(expires, "%Y-%m-%d %H:%M:%S"), "attempts": settings.SIGNING_CODE_MAX_ATTEMPTS}
        transaction.on_commit(lambda: _mail(subject, body, email, member.pk))


def _mail(subject: str, body: str, email: str, member_id: int) -> None:
    try:
        send_mail(subject, body, None, [email])
    except Exception:  # the member can ask for another code in a minute; the failure is for the operators
        logger.exception("The signing code for committee member %s could not be sent.", member_id)


def _code_take(actor: Actor, committee: Committee, member: Member, code: str) -> None:
    """Use the member's latest code, or raise why not. A wrong code counts an attempt, kept even though the
    signature is refused (so the check commits on its own before raising)."""
    problem = None
    with transaction.atomic():
        otc = (OneTimeCode.objects.select_for_update().filter(member=member).order_by("-created_at", "-pk").first())
        now = clock.now()
        if otc is None:
            problem = _("Ask for a code first: it is sent to your e-mail address.")
        elif otc.used_at is not None:
            problem = _("This code has already been used; ask for a new one.")
        elif now >= otc.expires_at:
            problem = _("The code expired at %(t)s; ask for a new one.") % {"t": _t(otc.expires_at, "%H:%M:%S")}
        elif otc.attempts >= settings.SIGNING_CODE_MAX_ATTEMPTS:
            problem = _("Too many wrong codes; ask for a new one.")
        elif not constant_time_compare(otc.code_hash, _code_hash(member, str(code or "").strip())):
            otc.attempts += 1
            otc.save(update_fields=["attempts"])
            left = settings.SIGNING_CODE_MAX_ATTEMPTS - otc.attempts
            problem = ngettext("The code is wrong; %(n)d more try with this code.",
                               "The code is wrong; %(n)d more tries with this code.", left) % {"n": left}
            event_record(actor=actor, action="evaluation.signing_code_rejected", subject=committee,
                         tender_id=committee.lot.tender_id, data={"member": member.position, "attempts": otc.attempts})
        else:
            otc.used_at = now
            otc.save(update_fields=["used_at"])
    if problem:
        raise DomainError(problem, field="code", code="code")


def _store(report: Report, pdf: bytes, suffix: str) -> None:
    report.file.save(_file_name(report.committee, suffix), ContentFile(pdf), save=False)
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.save(update_fields=["file", "sha256"])


def _read(report: Report) -> bytes:
    with report.file.open("rb") as fh:
        return fh.read()


def report_sign(*, actor: Actor, lot_id: int, code: str, kind: str = SignatureKind.AGREE,
                dissent: str = "") -> Signature:
    """A member signs the report (agree), signs with a dissent (the objection and its reasons), or refuses
    without reasons (deemed agreement, recorded; RULES X8). Confirmed by the member's one-time code."""
    committee, member, report = _signer(actor, lot_id)
    if kind not in SignatureKind.values:
        raise DomainError(_("Choose to sign, to sign with a dissent, or to refuse."), field="kind")
    dissent = (dissent or "").strip()
    if kind == SignatureKind.DISSENT and len(dissent) < 10:
        raise DomainError(_("Write your objection and its reasons (at least a sentence): a dissent is recorded with "
                            "them."), field="dissent")
    if kind != SignatureKind.DISSENT and dissent:
        raise DomainError(_("Reasons are recorded with a dissent: choose to sign with a dissent to give them. A "
                            "refusal carries no reasons and is deemed agreement."), field="dissent")
    if len(dissent) > 2000:
        raise DomainError(_("Keep the dissent within 2000 characters."), field="dissent")
    _code_take(actor, committee, member, code)
    key = cert = None
    cert_pem = ""
    if kind != SignatureKind.REFUSED:
        key = ec.generate_private_key(ec.SECP256R1())  # for this one signature; never stored
        cert = issue_certificate(common_name=member.name, organisation_name=MEMBER_ORGANISATION,
                                 public_key=key.public_key())
        cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("committee__lot__tender", "committee__draw").get(
            pk=report.pk)  # one signature appended at a time: none is lost
        current = Committee.objects.get(pk=committee.pk)
        if current.stage != Stage.SIGNING:
            raise IllegalTransition(_("Every member has already signed the evaluation report or refused to."),
                                    code="completed")
        if Signature.objects.filter(member=member).exists():
            raise IllegalTransition(_("You have already signed the evaluation report; a member signs once."),
                                    code="already_signed")
        now = clock.now()
        field = f"Member{member.position}"
        if key is not None:
            reason = "同意评标结论" if kind == SignatureKind.AGREE else f"持不同意见：{dissent}"
            signed = sign_pdf(_read(locked), key=key, cert=cert, field_name=field, reason=reason,
                              location=committee.draw.evaluation_place or settings.PLATFORM_NAME, name=member.name)
            versions = Signature.objects.filter(report=locked).exclude(kind=SignatureKind.REFUSED).count()
            _store(locked, signed, f"v{versions + 2}")
        signature = Signature.objects.create(
            report=locked, member=member, kind=kind, dissent=dissent, signed_at=now,
            certificate_pem=cert_pem,
            sha256_after=locked.sha256 if key is not None else "")
        event_record(actor=actor, action="evaluation.report_signed", subject=committee,
                     tender_id=committee.lot.tender_id,
                     data={"member": member.position, "kind": kind, "dissent": dissent,
                           "field": field if key is not None else None, "report_sha256": locked.sha256,
                           "certificate_sha256": hashlib.sha256(cert_pem.encode()).hexdigest() if cert_pem else None})
        if Signature.objects.filter(report=locked).count() == committee.members.count():
            _complete(current, locked)
        broadcast(committee)
    return signature


def absence_due(report: Report):
    """From when a member who has neither signed nor refused may be recorded as not signing."""
    return report.generated_at + timedelta(minutes=settings.EVALUATION_SIGNING_WAIT_MINUTES)


def signature_absence_record(*, actor: Actor, lot_id: int, member_id: int) -> Signature:
    """The leader (or the host) records that a member neither signed the report nor refused within
    EVALUATION_SIGNING_WAIT_MINUTES of its generation: a refusal without reasons, deemed agreement with the
    result (RULES X8; 招标投标法实施条例 art. 53), so that one absent member cannot hold the report back."""
    committee = committee_for(actor=actor, lot_id=lot_id)
    me = member_of(actor, committee)
    if not ((me is not None and me.is_leader) or is_operator(actor, committee.lot.tender)):
        raise PermissionDenied(_("Only the committee's leader or the host of the evaluation may record that a member "
                                 "did not sign."))
    report = Report.objects.filter(committee=committee).first()
    if report is None or committee.stage != Stage.SIGNING:
        raise IllegalTransition(_("The evaluation report is not awaiting signatures."), code="not_signing")
    member = next((m for m in committee.members.all() if m.pk == member_id), None)
    if member is None:
        raise NotFound(_("No such member of this committee."))
    if me is not None and me.pk == member.pk:
        raise DomainError(_("Sign the report or refuse to sign it yourself."), field="member")
    now = clock.now()
    due = absence_due(report)
    if now < due:
        raise IllegalTransition(_("Member %(n)d has until %(t)s to sign or refuse; only then can their silence be "
                                  "recorded.") % {"n": member.position, "t": _t(due, "%Y-%m-%d %H:%M")},
                                code="too_early")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        current = Committee.objects.get(pk=committee.pk)
        if current.stage != Stage.SIGNING:
            raise IllegalTransition(_("Every member has already signed the evaluation report or refused to."),
                                    code="completed")
        if Signature.objects.filter(member=member).exists():
            raise IllegalTransition(_("Member %(n)d has already signed or refused; nothing was recorded.")
                                    % {"n": member.position}, code="already_signed")
        signature = Signature.objects.create(report=locked, member=member, kind=SignatureKind.REFUSED, signed_at=now,
                                             recorded_by=actor.user)
        event_record(actor=actor, action="evaluation.signature_absence_recorded", subject=committee,
                     tender_id=committee.lot.tender_id,
                     data={"member": member.position, "report_sha256": locked.sha256,
                           "generated_at": locked.generated_at, "by": "leader" if me is not None else "host"})
        if Signature.objects.filter(report=locked).count() == committee.members.count():
            _complete(current, locked)
        broadcast(committee)
    return signature


def _complete(committee: Committee, report: Report) -> None:
    """Every member has acted: the platform signs last (covering the whole file) and the evaluation is reported."""
    signatures = list(report.signatures.select_related("member").order_by("member__position"))
    signed = [s for s in signatures if s.kind != SignatureKind.REFUSED]
    dissents = [s for s in signatures if s.kind == SignatureKind.DISSENT]
    refused = [s for s in signatures if s.kind == SignatureKind.REFUSED]
    own = [s for s in refused if s.recorded_by_id is None]
    absent = [s for s in refused if s.recorded_by_id is not None]
    reason = f"评标报告签署完成：{len(signed)} 名成员电子签名（其中 {len(dissents)} 名持不同意见）"
    if own:
        reason += "；拒绝签字且未书面说明不同意见和理由、视为同意评标结果的成员：" + "、".join(s.member.name for s in own)
    if absent:
        reason += "；未在规定时间内签字或说明不同意见和理由、经记录视为同意评标结果的成员：" + "、".join(
            s.member.name for s in absent)
    pdf = sign_pdf(_read(report), field_name="Platform", reason=reason + "。", location=settings.PLATFORM_NAME)
    _store(report, pdf, "final")
    report.completed_at = clock.now()
    report.save(update_fields=["completed_at"])
    from evaluation.tasks import report_copy_render

    transaction.on_commit(lambda: report_copy_render.delay(report.pk))
    stage_move(PLATFORM, committee, Stage.REPORTED, data={
        "report_sha256": report.sha256, "signed": [s.member.position for s in signed],
        "dissent": [s.member.position for s in dissents], "refused": [s.member.position for s in refused],
        "absent": [s.member.position for s in absent]})

