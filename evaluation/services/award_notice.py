"""The award notice (中标通知书, or 成交通知书 after a negotiation, consultation or request for quotations:
政府采购法 art. 46): rendered in Chinese once the tenderer confirms the winner, signed by the platform (PAdES),
stored on the Award, recorded in the ledger; then every bidder of the lot is told its result by e-mail.

Run after the award commits, by award id, idempotently (evaluation.tasks.award_notice_render): a repeat finds
the notice there and does nothing."""

from __future__ import annotations

import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bidding.hall import readout_row
from bidding.models import Bid, BidStatus, Method, Opening, OpenedBid, Tender
from core.actor import Actor
from core.templatetags.platform import format_yuan
from evaluation.models import Award, Committee, Publicity, Result
from witness.models import Event
from witness.services import event_record

PUBLISHER = Actor.system("award-notice")
# Methods that end in a 成交 (a deal) rather than a 中标 (a tender won): 政府采购法 art. 46 names both notices.
DEAL_METHODS = {Method.NEGOTIATION, Method.CONSULTATION, Method.INQUIRY, Method.SINGLE_SOURCE, Method.FRAMEWORK}


# --- The award notice --------------------------------------------------------------------------------------

DIGITS = "零壹贰叁肆伍陆柒捌玖"


def _group_upper(n: int) -> str:
    out, zero = "", False
    for power, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        d = n // power % 10
        if d == 0:
            zero = zero or bool(out)
        else:
            out += ("零" if zero else "") + DIGITS[d] + unit
            zero = False
    return out


def rmb_upper(amount: Decimal) -> str:
    """An amount in capital numerals as contracts and notices write it: 1099999.50 → 壹佰零玖万玖仟玖佰玖拾玖元伍角整."""
    cents = int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents < 0:
        raise ValueError("negative amount")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups, n = [], yuan
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, gap = "", False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            gap = bool(out)
            continue
        if out and (gap or g < 1000):
            out += "零"
        out += _group_upper(g) + ("", "万", "亿", "万亿")[i]
        gap = False
    if yuan:
        out += "元"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif fen and yuan:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    return (out + ("" if fen else "整")) if cents else "零元整"


def notice_terms(tender: Tender) -> dict:
    deal = tender.method in DEAL_METHODS
    gp = tender.category == "government" or deal
    return {
        "title": "成交通知书" if deal else "中标通知书",
        "winner": "成交供应商" if deal else "中标人",
        "buyer": "采购人" if gp else "招标人",
        "price": "成交金额" if deal else "中标价",
        "contract_rule": "《中华人民共和国政府采购法》第四十六条" if gp else "《中华人民共和国招标投标法》第四十六条",
    }


def notice_html(award: Award) -> str:
    lot, tender = award.lot, award.lot.tender
    committee = Committee.objects.get(lot=lot)
    publicity = Publicity.objects.get(lot=lot)
    result = Result.objects.get(committee=committee, bid=award.bid)
    opened = OpenedBid.objects.select_related("bid__bidder").filter(bid=award.bid).first()
    event = (Event.objects.filter(action="evaluation.awarded", subject_type="evaluation.committee",
                                  subject_id=str(committee.pk)).order_by("-seq").first())
    ranks = {c["bid"]: c for c in publicity.candidates}
    with translation.override("zh-hans"):
        return render_to_string("evaluation/award_notice_pdf.html", {
            "award": award, "lot": lot, "tender": tender, "winner": award.bid.bidder, "result": result,
            "terms": notice_terms(tender), "platform": settings.PLATFORM_NAME,
            "scored": lot.scheme.method == "comprehensive" and result.total is not None,
            "opening": Opening.objects.filter(lot=lot).first(), "publicity": publicity,
            "objections": list(publicity.objections.select_related("bidder")),
            "readout": readout_row(opened) if opened else {}, "price_upper": rmb_upper(award.price),
            "passed_over": [{**p, "bidder": ranks.get(p["bid"], {}).get("bidder", ""),
                             "rank": ranks.get(p["bid"], {}).get("rank")} for p in award.passed_over],
            "confirmed_at": timezone.localtime(award.confirmed_at),
            # government procurement: no candidate publicity; the Publicity row is the result announcement
            "gp_flow": tender.category == "government", "deemed": award.deemed,
            "notice_number": f"{tender.reference or tender.pk}-{lot.number:02d}",
            "ledger_seq": event.seq if event else "—", "ledger_hash": event.hash if event else "—",
        })


def notice_pdf(award: Award) -> bytes:
    from weasyprint import HTML

    from core.pdfsign import sign_pdf

    with translation.override("zh-hans"):
        pdf = HTML(string=notice_html(award), base_url=str(settings.BASE_DIR)).write_pdf()
    return sign_pdf(pdf, field_name="Platform", reason=f"{notice_terms(award.lot.tender)['title']}（平台电子签章）",
                    location=settings.PLATFORM_NAME)


def _addresses(bid: Bid) -> list[str]:
    found = [bid.bidder.contact_email, getattr(bid.submitted_by, "email", "")]
    return list(dict.fromkeys(a for a in found if a))


def result_messages(award: Award, pdf: bytes) -> list[EmailMessage]:
    """One e-mail per bidder of the lot: the winner gets the notice; the others the winner, the price and their
    own outcome (政府采购货物和服务招标投标管理办法 art. 69: the reason, or their score and rank)."""
    lot, tender = award.lot, award.lot.tender
    committee = Committee.objects.get(lot=lot)
    results = {r.bid_id: r for r in Result.objects.filter(committee=committee)}
    scored = lot.scheme.method == "comprehensive"
    passed = {p["bid"]: p["reason"] for p in award.passed_over}
    bids = Bid.objects.filter(lot=lot, status=BidStatus.SUBMITTED).select_related("bidder", "submitted_by")
    facts = {"title": tender.title, "ref": tender.reference or tender.pk, "lot": lot.name,
             "winner": award.bid.bidder.name, "price": format_yuan(award.price)}
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for bid in bids:
            to = _addresses(bid)
            if not to:
                continue
            if bid.pk == award.bid_id:
                subject = _("Award notice: %(title)s, %(lot)s") % facts
                body = _("Your organisation is the winner of “%(title)s” (%(ref)s), %(lot)s, at %(price)s. The "
                         "signed award notice is attached. Sign the written contract with the tenderer within 30 "
                         "days of the notice, on the terms of the tender documents and your bid.") % facts
                message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)
                message.attach(f"{notice_terms(tender)['title']}-{facts['ref']}-{lot.number}.pdf", pdf,
                               "application/pdf")
            else:
                subject = _("Result of “%(title)s”, %(lot)s") % facts
                body = (_("The purchaser did not choose in time, so the first-ranked candidate is deemed the winner of "
                          "“%(title)s” (%(ref)s), %(lot)s: %(winner)s, at %(price)s.") if award.deemed else
                        _("The tenderer has confirmed the winner of “%(title)s” (%(ref)s), %(lot)s: %(winner)s, at "
                          "%(price)s.")) % facts
                result = results.get(bid.pk)
                if bid.pk in passed:
                    body += " " + _("Your bid was ranked %(rank)s; the tenderer passed it over: %(reason)s") % {
                        "rank": results[bid.pk].rank, "reason": passed[bid.pk]}
                elif result is not None and result.compliant and result.rank and scored:
                    body += " " + _("Your bid ranked %(rank)s with %(total)s points.") % {
                        "rank": result.rank, "total": result.total}
                elif result is not None and result.compliant and result.rank:
                    body += " " + _("Your bid ranked %(rank)s by evaluated price.") % {"rank": result.rank}
                elif result is not None and not result.compliant:
                    reasons = "; ".join(f"{f.get('requirement')}: {', '.join(map(str, f.get('reasons', [])))}"
                                        for f in result.failed_requirements)
                    body += " " + _("Your bid did not pass the review: %(reasons)s.") % {"reasons": reasons}
                else:
                    body += " " + _("Your bid was not evaluated: it was not opened.")
                message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)
            messages.append(message)
    return messages


def award_notice_publish(award_id: int) -> Award | None:
    """Render, sign and store the award notice once, record it in the ledger, and mail every bidder its result
    after commit. A repeat finds the notice there and does nothing."""
    award = Award.objects.select_related("lot__tender__tenderer", "lot__tender__agency", "bid__bidder").filter(
        pk=award_id).first()
    if award is None or award.notice:
        return award
    pdf = notice_pdf(award)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = Award.objects.select_for_update().select_related("lot__tender", "bid__bidder").get(pk=award_id)
        if locked.notice:
            return locked
        tender = locked.lot.tender
        locked.notice.save(f"award-notice-{tender.reference or tender.pk}-lot{locked.lot.number}.pdf",
                           ContentFile(pdf), save=False)
        locked.notice_sha256 = digest
        locked.save(update_fields=["notice", "notice_sha256"])
        messages = result_messages(locked, pdf)
        event_record(actor=PUBLISHER, action="evaluation.award_notice_published",
                     subject=Committee.objects.get(lot_id=locked.lot_id), tender_id=tender.pk,
                     data={"lot": locked.lot_id, "award": locked.pk, "sha256": digest, "size": len(pdf),
                           "bidders_told": len(messages)})
        transaction.on_commit(lambda: get_connection(fail_silently=True).send_messages(messages))
    return locked
