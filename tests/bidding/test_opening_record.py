"""The opening record (开标记录表): rendered in Chinese when the opening closes, signed by the platform, verified
by Poppler's pdfsig, published on the tender page and to the public."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse

from bidding.models import Opening
from bidding.services import opening as svc
from core.pdfsign import pdfsig_report
from tests.bidding.test_opening import Bidder
from tests.witness.test_views import client_for
from witness.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(open_tender, bid_dirs, clock_at, agency, centre, django_capture_on_commit_callbacks):
    lot = open_tender.lots.get()
    bidders = [Bidder(p) for p in ("1180000.00", "1234567.89", "1099999.50")]
    for b in bidders:
        b.submit(lot)
    clock_at(open_tender.bid_deadline)
    opening = svc.opening_for(actor=agency, lot_id=lot.pk)
    svc.decryption_start(actor=agency, lot_id=lot.pk)
    svc.key_release(actor=bidders[0].actor, lot_id=lot.pk, data_key=bidders[0].data_key())
    svc.backup_submit(actor=bidders[1].actor, lot_id=lot.pk, salts=bidders[1].salts, parts=bidders[1].backup_parts())
    clock_at(open_tender.bid_deadline + timedelta(minutes=open_tender.decryption_window_minutes))
    svc.hall_advance(open_tender.pk)  # the third never decrypts: revoked
    svc.readout_respond(actor=bidders[0].actor, lot_id=lot.pk, objection="请核对第二家的工期。")
    opening.refresh_from_db()
    objection = opening.objections.get()
    clock_at(opening.confirm_ends_at + timedelta(minutes=3))  # the others stay silent: they accept
    with django_capture_on_commit_callbacks(execute=True):
        svc.objection_answer(actor=agency, objection_id=objection.pk, answer="已核对，工期为180日历天。")
    return lot, bidders, Opening.objects.get(pk=opening.pk)


def test_the_record_is_signed_published_and_verifies_with_pdfsig(closed, tmp_path):
    lot, bidders, opening = closed
    assert opening.status == "closed" and opening.record_published_at and len(opening.record_sha256) == 64
    pdf = opening.record_file.read()
    report = pdfsig_report(pdf)
    assert len(report["signatures"]) == 1, report["output"]
    signature = report["signatures"][0]
    assert signature["valid"] and signature["trusted"] and signature["total_document"], report["output"]
    assert Event.objects.filter(action="opening.record_published", data__sha256=opening.record_sha256).exists()

    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "开标记录表" in text and lot.tender.title in text
    assert "1180000.00" in text and "1234567.89" in text and "1099999.50" not in text
    flat = "".join(text.split())  # table cells wrap names across lines
    assert all(b.actor.organisation.name in flat for b in bidders) and "视为撤销" in flat
    assert "请核对第二家的工期" in flat and "已核对" in flat
    assert "备份文件" in flat and "第1页共2页" in flat


def test_anyone_may_download_the_published_record_and_the_hall_is_public(closed):
    lot, _, opening = closed
    response = client_for().get(reverse("bidding:opening_record", args=[lot.tender_id, lot.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for().get(reverse("api:hall_state", args=[lot.pk])).json()["record"]["sha256"] == \
        opening.record_sha256


def test_a_tampered_record_fails_pdfsig(closed):
    _, _, opening = closed
    pdf = bytearray(opening.record_file.read())
    at = pdf.index(b"/Type /Page") if b"/Type /Page" in pdf else 200
    pdf[at + 1] ^= 0x01
    assert not pdfsig_report(bytes(pdf))["signatures"][0]["valid"]
