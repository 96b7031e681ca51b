"""A demo tender whose bid deadline has just passed, with three sealed bids from the demo bidders that hold
sealing keys (bidding/demo/keys.py): the first visit to its hall begins the opening, the host (正信招标)
starts decryption, and bidder1–3 decrypt in their browsers with the key files under var/demo-keys/.

Its history has to lie in the past (a 20-day bid period), so the demo runs the platform's clock from
HISTORY_DAYS ago while it makes the organisations, the keys, this tender and its bids; every later act
happens at the real time, so the ledger's times still rise with its sequence numbers."""

from __future__ import annotations

import hashlib
import io
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal as D
from typing import Callable

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, PublicKey
from bidding.demo import organisations as orgs
from bidding.demo.tenders import LotSpec, TenderSpec
from bidding.models import Tender
from bidding.services import LotInput, TenderInput, tender_create, tender_document_upload, tender_review, tender_submit
from bidding.services.bids import bid_upload_chunk, bid_upload_finish, bid_upload_start
from core import clock
from ebid import Binding, seal
from ebid.keys import load_public_key
from witness.models import Event

HISTORY_DAYS = 30

SPEC = TenderSpec(
    title="青溪县孝源镇中心小学运动场改造工程",
    category="works", method="open", tenderer="town", operator="agency_zhengxin", budget=D("1960000.00"),
    description="对孝源镇中心小学运动场进行改造：300米塑胶跑道、人造草坪足球场、篮球场两片及看台、排水和照明。"
                "计划工期90日历天，质量要求合格。",
    lots=[LotSpec("运动场改造（施工总承包）", D("1960000.00"), D("1921000.00"),
                  "塑胶跑道约4,200平方米，人造草坪约3,600平方米，含排水、照明及围网。")],
    outcome="published", publish_in_days=0, bid_days=0,
)
BIDS = (  # (bidder username, price, duration in days, quality)
    ("bidder1", "1868800.00", 85, "合格"),
    ("bidder2", "1839950.00", 90, "合格"),
    ("bidder3", "1902000.00", 80, "合格，争创市级优质工程"),
)


@contextmanager
def clock_from(start: datetime):
    """Run core.clock from `start`, ticking with the real clock; restore it afterwards."""
    real = clock.now
    offset = start - real()
    clock.now = lambda: real() + offset
    try:
        yield
    finally:
        clock.now = real


def history_start(now: datetime) -> datetime:
    return now - timedelta(days=HISTORY_DAYS)


def _bid_pdf(tender: Tender, bidder: Organisation, price: str, days: int) -> bytes:
    from weasyprint import HTML

    html = (f'<html lang="zh-CN"><body style="font-family: \'Noto Serif CJK SC\', serif">'
            f"<h1>投标文件</h1><p>项目：{tender.title}（{tender.reference}）</p><p>投标人：{bidder.name}</p>"
            f"<p>投标报价：人民币 {price} 元；工期 {days} 日历天。</p><p>（演示数据）</p></body></html>")
    return HTML(string=html).write_pdf()


def _submit(actor, lot, username: str, price: str, days: int, quality: str) -> None:
    org = actor.organisation
    keys = [load_public_key(k.public_key_pem.encode()) for k in PublicKey.objects.filter(
        organisation=org, purpose=PublicKey.Purpose.SEALING, status=PublicKey.Status.ACTIVE)]
    out = io.BytesIO()
    seal(binding=Binding(tender_id=lot.tender_id, tender_reference=lot.tender.reference, lot_id=lot.pk,
                         bidder_id=org.pk, bidder_credit_code=org.credit_code),
         summary={"bidder": org.name, "price": price, "duration_days": days, "quality": quality},
         files=[("投标文件.pdf", io.BytesIO(_bid_pdf(lot.tender, org, price, days)))], recipients=keys, out=out)
    envelope = out.getvalue()
    upload = bid_upload_start(actor=actor, lot_id=lot.pk, size=len(envelope),
                              sha256=hashlib.sha256(envelope).hexdigest(), idempotency_key=f"demo-{uuid.uuid4().hex}")
    bid_upload_chunk(actor=actor, upload_id=upload.pk, offset=0, data=envelope)
    bid_upload_finish(actor=actor, upload_id=upload.pk)


def seed(actor_for: Callable, document_pdf: Callable, now: datetime, log: Callable[[str], None]) -> Tender | None:
    """Make the tender and its bids, in the past (call inside clock_from(history_start(now)))."""
    specs = {spec.key: spec for spec in orgs.ALL}
    tenderer = Organisation.objects.get(credit_code=specs[SPEC.tenderer].credit_code)
    if Tender.objects.filter(title=SPEC.title, tenderer=tenderer).exists():
        return None
    if Event.objects.filter(created_at__gt=clock.now()).exists():
        log("  skipped    the demo opening: the ledger already holds later events (seed an empty database)")
        return None
    operator = actor_for(specs[SPEC.operator])
    deadline = timezone.localtime(now - timedelta(minutes=20)).replace(second=0, microsecond=0)
    start = clock.now()
    lot = SPEC.lots[0]
    with transaction.atomic():
        tender = tender_create(actor=operator, data=TenderInput(
            title=SPEC.title, category=SPEC.category, method=SPEC.method, budget=SPEC.budget,
            lots=[LotInput(lot.name, lot.budget, lot.ceiling_price, lot.description)], tenderer_id=tenderer.pk,
            region=orgs.REGION, description=SPEC.description, publish_at=start,
            clarification_deadline=start + timedelta(days=12), bid_deadline=deadline,
            evaluation_planned_at=deadline + timedelta(hours=4)))
        from django.core.files.uploadedfile import SimpleUploadedFile

        tender_document_upload(actor=operator, tender=tender, title="招标文件", upload=SimpleUploadedFile(
            f"{tender.reference}-招标文件.pdf", document_pdf(tender), content_type="application/pdf"))
        tender_submit(actor=operator, tender=tender)
        tender_review(actor=actor_for(orgs.ENROLLED[0]), tender=tender, approve=True)
    by_username = {spec.username: spec for spec in orgs.ALL}
    the_lot = tender.lots.get()
    for i, (username, price, days, quality) in enumerate(BIDS):
        with clock_from(deadline - timedelta(days=1, hours=len(BIDS) - i)):
            _submit(actor_for(by_username[username]), the_lot, username, price, days, quality)
    log(f"  tender     {tender.reference} {tender.title} (deadline passed, 3 sealed bids: open its hall)")
    return tender
