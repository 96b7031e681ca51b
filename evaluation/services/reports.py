"""The evaluation report (评标报告) and the members' remote signatures (RULES X8, M6).

- ``report_generate``: the leader, at the summary, once every flag has the committee's recorded decision,
  renders the report in Chinese (WeasyPrint) and stores it; the evaluation moves to signing.
- ``signing_code_send`` / ``report_sign``: each member confirms with a one-time code sent by e-mail, then
  signs (a PAdES signature under a certificate the platform CA issues for this one signature, appended as an
  incremental update), signs with a dissent (the objection and its reasons in the signature's reason), or
  refuses (recorded, no signature: deemed agreement). When every member has acted, the platform signs last
  and the evaluation is reported.
- ``report_for``: the report names the members, so until the award it is served only to those who may see
  the names (the committee and the regulator, RULES X5).

Rendering is the slow part: a report of 50 bids × 9 members × 30 criteria has ~14 000 scores, and WeasyPrint
spends about 2 ms on every element. So the wide matrices (each member's sheet, the summary) are drawn as
monospaced text grids, a few elements per ten rows, with the rules painted by CSS backgrounds; the other
tables are ordinary HTML tables whose rows are built here, not in template loops."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

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
from bidding.services.opening_record import RESULT_CN, VIA_CN
from core import clock, lottery
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from evaluation import scoring
from evaluation.models import (
    Committee,
    Correction,
    Criterion,
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
FORMULA_PARAM_CN = {"min_bids_to_trim": "去掉最高、最低报价所需的最少投标人数", "trim_count": "去掉最高、最低报价各（家）",
                    "float_percent": "基准价下浮（%）", "above_per_percent": "高于基准价每 1% 扣分",
                    "below_per_percent": "低于基准价每 1% 扣分", "floor": "价格分最低分"}
FLAG_CN = {"abnormally_low": "投标报价明显低于其他投标报价（异常低价）",
           "deviation": "成员评分与其他成员偏差较大（畸高畸低）",
           "objective_inconsistent": "客观评审因素评分不一致"}
CORRECTION_CN = {"addition_error": "分值汇总计算错误", "out_of_range": "分项评分超出评分标准规定的范围",
                 "objective_inconsistent": "客观评审因素评分不一致", "abnormal_score": "经评标委员会认定评分畸高、畸低"}
ORDINAL_CN = ["第一", "第二", "第三", "第四", "第五"]
SIGNED_CN = {SignatureKind.AGREE: "同意评标结论", SignatureKind.DISSENT: "持不同意见",
             SignatureKind.REFUSED: "拒绝签字且未说明理由（视为同意评标结论）"}


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
# ambiguous symbols used here (√ × …), so a line of text is a row of fixed columns and the column rules can be
# painted at exact em offsets.

GRID_FONT_MAX, GRID_FONT_MIN = 8.5, 6.0  # pt
GRID_ROWS_PER_BLOCK = 10
PORTRAIT_WIDTH_PT = (210 - 2 * 18) * 72 / 25.4  # A4 less the margins in the template
LANDSCAPE_WIDTH_PT = (297 - 2 * 13) * 72 / 25.4


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
    room = 2 * page_width / GRID_FONT_MIN  # columns of half an em that fit at the smallest font
    fixed = sum(widths[i] + 2 for i in key_idx + tail_idx)
    bands, band, used = [], [], fixed
    for i in middle:
        if band and used + widths[i] + 2 > room:
            bands.append(band)
            band, used = [], fixed
        band.append(i)
        used += widths[i] + 2
    bands.append(band)
    out = []
    for n, band in enumerate(bands):
        idx = key_idx + band + (tail_idx if n == len(bands) - 1 else [])
        out.append(_grid([columns[i] for i in idx], [widths[i] for i in idx], [[r[i] for i in idx] for r in rows],
                         page_width))
    return out


def _grid(columns: list[Col], widths: list[int], rows: list[list[str]], page_width: float) -> SafeString:
    starts = [0]
    for w in widths:
        starts.append(starts[-1] + w + 2)
    total = starts[-1]
    size = min(GRID_FONT_MAX, 2 * page_width / total)
    size = float(f"{size:.2f}")
    line = round(size * 1.5, 2)

    def text(cells: list[str]) -> str:
        return "".join(" " + _fit(c, w, col.align) + " " for c, w, col in zip(cells, widths, columns))

    # The rules: one thin layer per column boundary, except across the longest run of equal columns, which is
    # one repeating layer (the masks keep it out of the other columns); the row rules repeat downwards.
    runs, i = [], 0
    while i < len(widths):
        j = i
        while j + 1 < len(widths) and widths[j + 1] == widths[i]:
            j += 1
        runs.append((i, j))
        i = j + 1
    a, b = max(runs, key=lambda r: r[1] - r[0])
    repeat = b - a >= 2
    rule = "linear-gradient(to right, #555 50%, transparent 50%)"
    layers = [(rule, f"{starts[k] / 2}em 0", ".7pt 100%", "no-repeat") for k in range(1, len(widths))
              if not (repeat and a < k <= b)]
    layers.append((f"linear-gradient(to bottom, transparent {line - .35:.2f}pt, #999 {line - .35:.2f}pt)", "0 0",
                   f"100% {line}pt", "repeat-y"))
    if repeat:
        white = "linear-gradient(to right, #fff 100%, transparent 100%)"
        layers += [(white, "0 0", f"{starts[a] / 2}em 100%", "no-repeat"),
                   (white, f"{starts[b + 1] / 2}em 0", f"{(total - starts[b + 1]) / 2 + .1}em 100%", "no-repeat"),
                   ("linear-gradient(to right, #555 .35pt, transparent .35pt)", f"{starts[a] / 2}em 0",
                    f"{(widths[a] + 2) / 2}em 100%", "repeat-x")]
    style = (f"font-size:{size}pt;line-height:{line}pt;width:{total / 2}em;"
             f"background-image:{','.join(x[0] for x in layers)};"
             f"background-position:{','.join(x[1] for x in layers)};"
             f"background-size:{','.join(x[2] for x in layers)};"
             f"background-repeat:{','.join(x[3] for x in layers)}")
    parts = [f'<table class="grid"><thead><tr><td><pre class="grid head" style="{style}">'
             f'{escape(text([c.label for c in columns]))}</pre></td></tr></thead><tbody>']
    for start in range(0, len(rows), GRID_ROWS_PER_BLOCK):
        block = "\n".join(text(r) for r in rows[start:start + GRID_ROWS_PER_BLOCK])
        parts.append(f'<tr><td><pre class="grid" style="{style}">{escape(block)}</pre></td></tr>')
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

def report_context(committee: Committee) -> dict:
    """Everything the report shows, read in a fixed number of queries and laid out as rows."""
    lot, tender, draw = committee.lot, committee.lot.tender, committee.draw
    scheme = lot.scheme
    comprehensive = scheme.method == Method.COMPREHENSIVE
    members = list(committee.members.select_related("expert").order_by("position"))
    requirements = list(scheme.requirements.order_by("position"))
    criteria = list(scheme.criteria.order_by("position"))
    code = {c.pk: f"C{n}" for n, c in enumerate(criteria, start=1)}
    scored = [c for c in criteria if c.kind != CriterionKind.PRICE]
    price_criterion = next((c for c in criteria if c.kind == CriterionKind.PRICE), None)
    opening = Opening.objects.get(lot=lot)
    listed = list(opening.bids.select_related("bid__bidder").order_by("bid__received_at", "pk"))
    opened = [o for o in listed if o.status in OPENED_STATUSES]
    number = {o.bid_id: n for n, o in enumerate(opened, start=1)}
    bidder = {o.bid_id: o.bid.bidder.name for o in listed}
    results = {r.bid_id: r for r in Result.objects.filter(committee=committee)}
    compliant = [o.bid_id for o in opened if o.bid_id in results and results[o.bid_id].compliant]
    ranked = sorted((r for r in results.values() if r.rank is not None), key=lambda r: (r.rank, number[r.bid_id]))
    leader = next((m for m in members if m.is_leader), None)

    facts = [
        ("项目名称", tender.title), ("项目编号", tender.reference or "—"),
        ("标段（包）", f"{lot.name}（第 {lot.number} 标段）"), ("招标方式", _zh(tender.get_method_display())),
        ("招标人", tender.tenderer.name), ("招标代理机构", tender.agency.name if tender.agency else "—（招标人自行组织）"),
        ("项目预算", f"{_money(tender.budget)} 元"), ("本标段预算", f"{_money(lot.budget)} 元"),
        ("最高投标限价", f"{_money(lot.ceiling_price)} 元"), ("开标时间", _t(opening.began_at)),
        ("评标时间", f"{_t(draw.evaluation_at, '%Y年%m月%d日 %H:%M')}（委员会组建 {_t(committee.formed_at)}，"
                     f"评分汇总 {_t(committee.summarised_at)}）"),
        ("评标地点", (draw.evaluation_place or "—") + ("（远程异地评标）" if draw.remote else "")),
    ]
    facts_rows = html_rows([[(a, "th"), b, (c, "th"), d] for (a, b), (c, d) in zip(facts[::2], facts[1::2])])

    committee_rows = html_rows([[str(m.position), m.name, "组长" if m.is_leader else "成员", MEMBER_KIND_CN.get(m.kind, m.kind),
                                 BRANCH_CN.get(m.branch, m.branch), m.expert.employer_name if m.expert else "—",
                                 _zh(m.expert.get_title_display()) if m.expert else "—"] for m in members])

    opening_rows = []
    for o in listed:
        if o.status in OPENED_STATUSES:
            row = readout_row(o)
            opening_rows.append([str(number[o.bid_id]), o.bid.bidder.name, (row["price"] or "—", "num"),
                                 row.get("duration_days") or "—", row.get("quality") or "—", VIA_CN.get(o.status, o.status),
                                 (o.bid.sha256, "hash")])
        else:
            opening_rows.append(["—", o.bid.bidder.name, "—", "—", "—",
                                 f"{RESULT_CN.get(o.status, o.get_status_display())}：{o.failure_cause or '—'}",
                                 (o.bid.sha256, "hash")])

    formula = ""
    if price_criterion is not None and scheme.price_formula:
        formula = FORMULA_CN.get(scheme.price_formula, scheme.price_formula)
        params = scoring.formula_for(scheme.price_formula).clean(scheme.formula_params)[0]
        if params:
            formula += "（" + "；".join(f"{FORMULA_PARAM_CN.get(k, k)}：{v}" for k, v in params.items()) + "）"
    method_facts = html_rows([
        [("评标办法", "th"), METHOD_CN.get(scheme.method, scheme.method), ("采购类别", "th"),
         PROCUREMENT_CN.get(scheme.procurement_kind, scheme.procurement_kind)],
        [("价格分计算方法", "th"), formula or "—", ("得分相同的处理", "th"), TIE_RULE_CN.get(scheme.tie_rule, scheme.tie_rule)],
    ])
    requirement_rows = html_rows([[f"R{n}", REQUIREMENT_CN.get(r.kind, r.kind), r.name]
                                  for n, r in enumerate(requirements, start=1)])
    criterion_rows = html_rows([[code[c.pk], c.name, CRITERION_KIND_CN.get(c.kind, c.kind), (_pts(c.max_points), "num"),
                                 "平台按公式计算" if c.kind == CriterionKind.PRICE else SCORED_BY_CN.get(c.scored_by, c.scored_by)]
                                for c in criteria])

    questions = list(Question.objects.filter(committee=committee).select_related("bid__bidder", "asked_by"))
    question_rows = html_rows([[q.bid.bidder.name, q.asked_by.name, _t(q.asked_at, "%m-%d %H:%M"), q.text,
                                _t(q.answer_by, "%m-%d %H:%M"), q.answer or "未在期限内答复",
                                _t(q.answered_at, "%m-%d %H:%M") if q.answered_at else "—"] for q in questions])

    review_rows, rejected = [], []
    for o in opened:
        r = results.get(o.bid_id)
        failed = (r.failed_requirements if r else []) or []
        review_rows.append([str(number[o.bid_id]), o.bid.bidder.name,
                            ("通过", "") if r and r.compliant else ("未通过", "bad"),
                            "；".join(f["requirement"] for f in failed) or "—"])
        for f in failed:
            rejected.append([str(number[o.bid_id]), o.bid.bidder.name, f["requirement"],
                             f"{f.get('passes', '—')}/{f.get('members', '—')}",
                             "；".join(f.get("reasons") or []) or "—"])

    # The members' sheets
    sheets = {(s.member_id, s.step): s for s in Sheet.objects.filter(member__committee=committee)}
    marks: dict = defaultdict(dict)
    for member_id, bid_id, req_id, passed, reason in ReviewMark.objects.filter(
            sheet__member__committee=committee).values_list("sheet__member_id", "bid_id", "requirement_id", "passed",
                                                            "reason"):
        marks[member_id][(bid_id, req_id)] = (passed, reason)
    points: dict = defaultdict(dict)
    for member_id, bid_id, criterion_id, value in Score.objects.filter(
            sheet__member__committee=committee, sheet__step=Step.SCORING).values_list(
            "sheet__member_id", "bid_id", "criterion_id", "points"):
        points[member_id][(bid_id, criterion_id)] = value
    corrections = list(Correction.objects.filter(committee=committee).select_related(
        "score__sheet__member", "score__criterion", "score__bid__bidder", "recorded_by").order_by("recorded_at", "pk"))
    corrected = {(c.score.sheet.member_id, c.score.bid_id, c.score.criterion_id) for c in corrections}
    req_code = {r.pk: f"R{n}" for n, r in enumerate(requirements, start=1)}

    member_sheets = []
    for m in members:
        review_sheet, score_sheet = sheets.get((m.pk, Step.REVIEW)), sheets.get((m.pk, Step.SCORING))
        mine = marks.get(m.pk, {})
        rows, reasons = [], []
        for o in opened:
            cells, all_pass = [], True
            for req in requirements:
                mark = mine.get((o.bid_id, req.pk))
                if mark is None:
                    cells.append("")
                    all_pass = False
                    continue
                cells.append("√" if mark[0] else "×")
                if not mark[0]:
                    all_pass = False
                    reasons.append(f"{number[o.bid_id]} {o.bid.bidder.name} · {req_code[req.pk]}：{mark[1] or '—'}")
            rows.append([str(number[o.bid_id]), o.bid.bidder.name, *cells, "合格" if all_pass else "不合格"])
        review = grid([Col("编号"), Col("投标人", "<", cap=28), *[Col(req_code[r.pk], "^") for r in requirements],
                       Col("结论", "^")], rows, tail=1)
        score_grids, mine_scores = [], points.get(m.pk, {})
        if comprehensive:
            rows = []
            theirs = [c for c in scored if c.scored_by in (ScoredBy.ALL, m.branch)]
            for bid_id in compliant:
                cells = []
                for c in scored:
                    value = mine_scores.get((bid_id, c.pk))
                    if c not in theirs:
                        cells.append("/")
                    else:
                        cells.append("" if value is None else _pts(value) + ("*" if (m.pk, bid_id, c.pk) in corrected else ""))
                total = sum((mine_scores.get((bid_id, c.pk)) or 0 for c in theirs), 0)
                rows.append([str(number[bid_id]), bidder[bid_id], *cells, _pts(total)])
            score_grids = grid([Col("编号"), Col("投标人", "<", cap=28), *[Col(code[c.pk]) for c in scored], Col("小计")],
                               rows, tail=1)
        member_sheets.append({
            "member": m, "review": review, "reasons": reasons, "scores": score_grids,
            "review_at": _t(review_sheet.submitted_at) if review_sheet else "—",
            "review_sha256": review_sheet.sha256 if review_sheet else "",
            "scoring_at": _t(score_sheet.submitted_at) if score_sheet else "—",
            "scoring_sha256": score_sheet.sha256 if score_sheet else "",
        })

    # The summary
    means: dict = {}
    if comprehensive and compliant:
        specs = []
        for c in criteria:
            experts = None if c.kind == CriterionKind.PRICE else frozenset(
                m.pk for m in members if c.scored_by in (ScoredBy.ALL, m.branch))
            specs.append(spec_of(c) if experts is None else spec_of(c, experts))
        sheet_points = {m.pk: {bid: {c.pk: points[m.pk][(bid, c.pk)] for c in scored
                                     if (bid, c.pk) in points.get(m.pk, {})} for bid in compliant}
                        for m in members}
        price_points = ({bid: results[bid].price_score for bid in compliant} if price_criterion is not None else None)
        aggregated = scoring.aggregate(sheet_points, criteria=specs, price_points=price_points)
        means = {bid: aggregated[bid].by_criterion for bid in compliant}
    order = [r.bid_id for r in ranked] + [o.bid_id for o in opened if o.bid_id not in {r.bid_id for r in ranked}]
    summary_rows = []
    for bid_id in order:
        r = results.get(bid_id)
        ok = r is not None and r.compliant and r.rank is not None
        row = [str(r.rank) if ok else "—", str(number[bid_id]), bidder[bid_id], _money(r.price if r else None)]
        if comprehensive:
            if price_criterion is not None:
                row.append(_pts(r.price_score) if ok else "—")
            row += [_pts(means[bid_id][c.pk]) if ok and bid_id in means else "—" for c in scored]
            row.append(_pts(r.total) if ok else "未通过评审")
        else:
            row.append(_money(r.total) if ok else "未通过评审")
        row.append("是" if ok and r.recommended else "")
        summary_rows.append(row)
    summary_cols = [Col("排名"), Col("编号"), Col("投标人", "<", cap=30), Col("投标报价（元）")]
    if comprehensive:
        if price_criterion is not None:
            summary_cols.append(Col(f"{code[price_criterion.pk]}价格分"))
        summary_cols += [Col(code[c.pk]) for c in scored] + [Col("总分")]
    else:
        summary_cols.append(Col("评标价（元）"))
    summary_cols.append(Col("推荐", "^"))
    summary = grid(summary_cols, summary_rows, keys=3, tail=2 if comprehensive else 3)

    flags = list(Flag.objects.filter(committee=committee).select_related("bid__bidder", "member", "decided_by"))
    flag_rows = html_rows([[FLAG_CN.get(f.kind, f.kind), f.bid.bidder.name, f.member.name if f.member else "—",
                            "；".join(filter(None, [str(f.detail.get("message") or ""),
                                                   *[str(x) for x in f.detail.get("reasons") or []]])) or "—",
                            f.decision or "未决定", f"{f.decided_by.name if f.decided_by else '—'}，{_t(f.decided_at, '%m-%d %H:%M')}"]
                           for f in flags])
    correction_rows = html_rows([[c.score.sheet.member.name, c.score.bid.bidder.name,
                                  f"{code[c.score.criterion_id]} {c.score.criterion.name}",
                                  CORRECTION_CN.get(c.kind, c.kind), (_pts(c.before), "num"), (_pts(c.after), "num"), c.reason,
                                  f"{c.recorded_by.name}，{_t(c.recorded_at, '%m-%d %H:%M')}"] for c in corrections])

    # Ties: bids left equal by the method's order, and what separated them
    seed = tie_seed(committee)
    groups: dict = defaultdict(list)
    for r in ranked:
        if r.tie_broken_by:
            groups[(r.total, r.price) if comprehensive else (r.price,)].append(r)
    tie_rows = []
    for group in groups.values():
        how = {r.tie_broken_by for r in group}
        tie_rows.append(["、".join(f"{number[r.bid_id]} {bidder[r.bid_id]}" for r in group),
                         (f"总分 {_pts(group[0].total)}，报价 {_money(group[0].price)}" if comprehensive
                          else f"评标价 {_money(group[0].price)}"),
                         "；".join(TIE_HOW_CN.get(h, h) for h in sorted(how)),
                         "，".join(f"第{r.rank}名：{number[r.bid_id]}（平台编号 {r.bid_id}，"
                                  f"HMAC {lottery.score(seed, r.bid_id)[:16]}…）" for r in group)])

    candidates = [r for r in ranked if r.recommended][:settings.EVALUATION_MAX_CANDIDATES]
    ranking_rows = html_rows([[str(r.rank), str(number[r.bid_id]), bidder[r.bid_id], (_money(r.price), "num"),
                               (_pts(r.total) if comprehensive else _money(r.total), "num"),
                               ORDINAL_CN[n] + "中标候选人" if r in candidates else "—"]
                              for n, r in enumerate(ranked)])
    candidate_lines = [f"{ORDINAL_CN[n]}中标候选人：{bidder[r.bid_id]}，投标报价 {_money(r.price)} 元，"
                       + (f"综合得分 {_pts(r.total)} 分" if comprehensive else f"评标价 {_money(r.total)} 元")
                       for n, r in enumerate(candidates)]

    return {
        "tender": tender, "lot": lot, "committee": committee, "platform": settings.PLATFORM_NAME,
        "generated_at": _t(clock.now()), "comprehensive": comprehensive, "leader": leader, "members": members,
        "facts_rows": facts_rows, "committee_rows": committee_rows,
        "opening": opening, "opening_rows": html_rows(opening_rows), "record_sha256": opening.record_sha256 or "—",
        "counts": {"listed": len(listed), "opened": len(opened), "compliant": len(compliant),
                   "rejected": len(opened) - len(compliant)},
        "method_facts": method_facts, "requirement_rows": requirement_rows, "criterion_rows": criterion_rows,
        "question_rows": question_rows, "review_rows": html_rows(review_rows), "rejected_rows": html_rows(rejected),
        "member_sheets": member_sheets, "summary": summary, "price_code": code.get(price_criterion.pk) if price_criterion else "",
        "flag_rows": flag_rows, "correction_rows": correction_rows, "tie_rows": html_rows(tie_rows),
        "tie_seed_sha256": committee.tie_seed_sha256, "tie_seed": seed.hex(),
        "ranking_rows": ranking_rows, "candidate_lines": candidate_lines,
        "signers": html_rows([[str(m.position), m.name, "组长" if m.is_leader else "成员", f"Member{m.position}"]
                              for m in members]),
    }


def report_html(committee: Committee) -> str:
    with translation.override("zh-hans"):
        return render_to_string("evaluation/report_pdf.html", report_context(committee))


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
        transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


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
    if kind == SignatureKind.DISSENT and len(dissent) < 5:
        raise DomainError(_("Write your objection and its reasons: a dissent is recorded with them."), field="dissent")
    if kind != SignatureKind.DISSENT and dissent:
        raise DomainError(_("Reasons are recorded with a dissent: choose to sign with a dissent to give them. A "
                            "refusal carries no reasons and is deemed agreement."), field="dissent")
    if len(dissent) > 2000:
        raise DomainError(_("Keep the dissent within 2000 characters."), field="dissent")
    _code_take(actor, committee, member, code)
    key = cert = None
    if kind != SignatureKind.REFUSED:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        from core.pdfsign import issue_certificate

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
            from core.pdfsign import sign_pdf

            reason = "同意评标结论" if kind == SignatureKind.AGREE else f"持不同意见：{dissent}"
            signed = sign_pdf(_read(locked), key=key, cert=cert, field_name=field, reason=reason,
                              location=committee.draw.evaluation_place or settings.PLATFORM_NAME, name=member.name)
            versions = Signature.objects.filter(report=locked).exclude(kind=SignatureKind.REFUSED).count()
            _store(locked, signed, f"v{versions + 2}")
        signature = Signature.objects.create(
            report=locked, member=member, kind=kind, dissent=dissent, signed_at=now,
            certificate_pem=cert_pem if key is not None else "",
            sha256_after=locked.sha256 if key is not None else "")
        event_record(actor=actor, action="evaluation.report_signed", subject=committee,
                     tender_id=committee.lot.tender_id,
                     data={"member": member.position, "kind": kind, "dissent": dissent,
                           "field": field if key is not None else None, "report_sha256": locked.sha256,
                           "certificate_sha256": hashlib.sha256(cert_pem.encode()).hexdigest() if key else None})
        if Signature.objects.filter(report=locked).count() == committee.members.count():
            _complete(current, locked)
        broadcast(committee)
    return signature


def _complete(committee: Committee, report: Report) -> None:
    """Every member has acted: the platform signs last (covering the whole file) and the evaluation is reported."""
    from core.pdfsign import sign_pdf

    signatures = list(report.signatures.select_related("member").order_by("member__position"))
    signed = [s for s in signatures if s.kind != SignatureKind.REFUSED]
    dissents = [s for s in signatures if s.kind == SignatureKind.DISSENT]
    refused = [s for s in signatures if s.kind == SignatureKind.REFUSED]
    reason = f"评标报告签署完成：{len(signed)} 名成员电子签名（其中 {len(dissents)} 名持不同意见）"
    if refused:
        reason += "；拒绝签字且未书面说明不同意见和理由、视为同意评标结果的成员：" + "、".join(s.member.name for s in refused)
    pdf = sign_pdf(_read(report), field_name="Platform", reason=reason + "。", location=settings.PLATFORM_NAME)
    _store(report, pdf, "final")
    report.completed_at = clock.now()
    report.save(update_fields=["completed_at"])
    stage_move(PLATFORM, committee, Stage.REPORTED, data={
        "report_sha256": report.sha256, "signed": [s.member.position for s in signed],
        "dissent": [s.member.position for s in dissents], "refused": [s.member.position for s in refused]})

