"""The opening record (开标记录表, RULES E8): rendered in Chinese after the opening closes, signed by the platform
(PAdES), stored through the storage API, published on the tender page and to the hall.

Rendered after the close commits, by opening id, idempotently: a repeat finds the record there."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from bidding.hall import readout_row
from bidding.models import OPENED_STATUSES, Method, Opening, OpeningStatus
from core import clock
from core.actor import Actor
from witness.models import Event
from witness.services import event_record

PUBLISHER = Actor.system("opening-record")
VIA_CN = {"decrypted": "远程解密", "backup": "备份文件（承诺值核验一致）"}
RESULT_CN = {"revoked": "视为撤销投标文件", "withdrawn": "视为撤回投标文件"}
RESPONSE_CN = {"confirmed": "确认", "objected": "提出异议", "": "未回应（视为认可）"}


def record_html(opening: Opening) -> str:
    lot, tender = opening.lot, opening.lot.tender
    listed = list(opening.bids.select_related("bid__bidder").order_by("bid__received_at", "pk"))
    rows, failed = [], []
    for o in listed:
        if o.status in OPENED_STATUSES:
            rows.append({**readout_row(o), "via_cn": VIA_CN[o.status], "received_at": timezone.localtime(o.bid.received_at),
                         "response_cn": RESPONSE_CN[o.response]})
        else:
            failed.append({"bidder": o.bid.bidder.name, "received_at": timezone.localtime(o.bid.received_at),
                           "result_cn": RESULT_CN.get(o.status, o.get_status_display()), "cause": o.failure_cause})
    closing = (Event.objects.filter(action="opening.closed", subject_type="bidding.opening", subject_id=str(opening.pk))
               .order_by("-seq").first())
    with translation.override("zh-hans"):
        return render_to_string("bidding/opening_record_pdf.html", {
            "opening": opening, "lot": lot, "tender": tender, "rows": rows, "failed": failed, "listed": listed,
            "objections": list(opening.objections.select_related("bidder")), "platform": settings.PLATFORM_NAME,
            "method": Method(tender.method).label,
            "counts": {"listed": len(listed), "opened": len(rows), "failed": len(failed)},
            "ledger_seq": closing.seq if closing else "—", "ledger_hash": closing.hash if closing else "—",
        })


def record_pdf(opening: Opening) -> bytes:
    from weasyprint import HTML

    from core.pdfsign import sign_pdf

    with translation.override("zh-hans"):
        pdf = HTML(string=record_html(opening), base_url=str(settings.BASE_DIR)).write_pdf()
    return sign_pdf(pdf, field_name="Platform", reason="开标记录表（平台电子签章）",
                    location=settings.PLATFORM_NAME)


def opening_record_publish(opening_id: int) -> Opening | None:
    """Render, sign, store and publish the record of a closed opening once."""
    opening = Opening.objects.select_related("lot__tender__tenderer", "lot__tender__agency").filter(
        pk=opening_id).first()
    if opening is None or opening.status != OpeningStatus.CLOSED or opening.record_file:
        return opening
    pdf = record_pdf(opening)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = Opening.objects.select_for_update().get(pk=opening_id)
        if locked.record_file:
            return locked
        name = f"opening-record-{locked.lot.tender.reference or locked.lot.tender_id}-lot{locked.lot.number}.pdf"
        locked.record_file.save(name, ContentFile(pdf), save=False)
        locked.record_sha256, locked.record_published_at = digest, clock.now()
        locked.save(update_fields=["record_file", "record_sha256", "record_published_at"])
        event_record(actor=PUBLISHER, action="opening.record_published", subject=locked,
                     tender_id=locked.lot.tender_id, data={"lot": locked.lot_id, "sha256": digest, "size": len(pdf)})
        from bidding.services.opening import broadcast_after_commit

        broadcast_after_commit([locked.lot_id])
    return locked
