"""A bidder seals and submits a bid in Chromium: the page seals in the browser with its private key file
(never sent), uploads in chunks, survives a dropped chunk, and shows the receipt; Python then opens the
stored envelope with the bidder's key and verifies the receipt."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from accounts.services import key_register
from bidding.models import Bid, BidStatus
from bidding.receipts import public_key_pem
from bidding.services import tender_review, tender_submit
from core import clock
from core.actor import Actor
from ebid import read_header, read_summary, unwrap_data_key
from ebid.keys import keygen, load_private_key
from ebid.receipt import verify_receipt
from tests.browser.people import person, sign_in
from tests.factories import actor_of, make_tender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSPHRASE = "青溪 river lantern copper seventeen"


def test_a_bidder_seals_in_the_browser_and_gets_a_receipt(live_server, new_page, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.BID_UPLOAD_DIR = tmp_path / "bid-uploads"
    agency, centre = actor_of("agency"), actor_of("centre")
    tender = make_tender(agency=agency, start=clock.now() - timedelta(hours=1))
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=centre, tender=tender, approve=True)
    lot = tender.lots.get()
    user, org = person("bidder", "浙江青山路桥建设有限公司")
    private_pem, public = keygen(PASSPHRASE.encode())
    key_register(actor=Actor(user=user, organisation=org, role="bidder"), organisation=org, purpose="sealing",
                 label="主密钥", pem=public.decode())
    (tmp_path / "me.key").write_bytes(private_pem)
    (tmp_path / "技术标.pdf").write_bytes(b"%PDF-1.7 technical proposal " * 5000)

    page = new_page()
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/tenders/{tender.pk}/")
    page.locator(f"a[href='/tenders/{tender.pk}/lots/{lot.pk}/bid/']").click()
    page.wait_for_load_state()
    # the first chunk is lost on the way: the page must resume, not fail
    dropped = []

    def drop_once(route):
        if not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r".*/chunk/.*"), drop_once)
    requests = []
    page.on("request", lambda request: requests.append(request))
    page.fill("#bid-price", "2760000.00")
    page.fill("#bid-duration", "180")
    page.fill("#bid-quality", "合格")
    page.set_input_files("#bid-files", str(tmp_path / "技术标.pdf"))
    page.set_input_files("#bid-key-file", str(tmp_path / "me.key"))
    page.fill("#bid-passphrase", PASSPHRASE)
    page.locator("#bid-submit").click()
    page.wait_for_selector("#bid-result:not([hidden])", timeout=60000)

    assert dropped
    bid = Bid.objects.get(lot=lot, bidder=org)
    assert bid.status == BidStatus.SUBMITTED
    assert page.locator("#receipt-sha").inner_text() == bid.sha256
    # nothing the page sent holds the private key or the price
    for request in requests:
        body = request.post_data_buffer or b""
        assert b"PRIVATE KEY" not in body and b"2760000" not in body
    envelope = bid.envelope.read()
    verify_receipt(bid.receipt_document(), load_pem_public_key(public_key_pem().encode()),
                   envelope=io.BytesIO(envelope))
    stream = io.BytesIO(envelope)
    header = read_header(stream)
    _raw, summary = read_summary(stream, header,
                                 unwrap_data_key(header, load_private_key(private_pem, PASSPHRASE.encode())))
    assert summary == {"price": "2760000.00", "duration_days": 180, "quality": "合格"}
    assert [p.name for p in header.parts] == ["summary.json", "技术标.pdf"]
