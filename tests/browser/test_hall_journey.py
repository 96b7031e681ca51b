"""The opening hall (不见面开标) in Chromium, in Chinese: the host starts decryption, each bidder unwraps its
data key in its own browser with its `ebid keygen` key file and releases it, a regulator watches every step
arrive over the WebSocket, the readout shows on every page at once, then confirmations, an objection and
its answer close the opening. A wrong key is refused in the page and the bid stays sealed.

The hall needs WebSockets, which pytest-django's live server (WSGI) does not speak, so Daphne serves the
ASGI application from a thread of this process: the test's settings and its moved clock hold there too."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.services import key_register
from bidding.models import Bid, OpenedBid, Opening, OpeningStatus
from bidding.services import tender_review, tender_submit
from core import clock
from core.actor import Actor
from ebid import Binding, seal
from ebid.keys import keygen, load_private_key
from tests.bidding.conftest import submit
from tests.browser.people import person, sign_in
from tests.factories import actor_of, make_tender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/hall-regulator-readout.png"
BIDDERS = (("浙江青山路桥建设有限公司", "1180000.00", "青山 river lantern copper 17"),
           ("安吉县绿水市政工程有限公司", "1234567.89", "绿水 harbour violin amber 42"),
           ("湖州南太湖建设集团有限公司", "1099999.50", "太湖 orchard pebble silver 08"))


@dataclass
class SealedBidder:
    user: object
    org: object
    price: str
    passphrase: str
    private_pem: str
    bid: Bid


@pytest.fixture
def shifted_clock(monkeypatch):
    """Move core.clock.now forward by a settable amount; time keeps running, so the ledger's times rise."""
    shift = {"by": timedelta(0)}
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: real_now() + shift["by"])
    return shift


@pytest.fixture
def page_in_zone(chromium):
    """A page in its own context whose computer is set to another time zone than the platform's."""
    contexts = []

    def open_page(zone: str):
        context = chromium.new_context(locale="zh-CN", timezone_id=zone, viewport={"width": 1280, "height": 900},
                                       extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sealed_bid(lot, name: str, price: str, passphrase: str) -> SealedBidder:
    """A bidder that made its key pair as `ebid keygen` does, registered the public half, and sealed and
    submitted its bid before the deadline."""
    user, org = person("bidder", name)
    actor = Actor(user=user, organisation=org, role="bidder")
    private_pem, public_pem = keygen(passphrase.encode())
    key_register(actor=actor, organisation=org, purpose="sealing", label="主密钥", pem=public_pem.decode())
    key = load_private_key(private_pem, passphrase.encode())
    out = io.BytesIO()
    seal(binding=Binding(tender_id=lot.tender_id, tender_reference=lot.tender.reference, lot_id=lot.pk,
                         bidder_id=org.pk, bidder_credit_code=org.credit_code),
         summary={"price": price, "duration_days": 180, "quality": "合格"},
         files=[("技术标.pdf", io.BytesIO(b"%PDF-1.7 technical proposal " * 200))],
         recipients=[key.public_key()], out=out, chunk_size=4096)
    return SealedBidder(user=user, org=org, price=price, passphrase=passphrase,
                        private_pem=private_pem.decode(), bid=submit(actor, lot, out.getvalue()))


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return gettext(msgid)


def release(page, pem: str, passphrase: str) -> None:
    page.fill("#release-key", pem)
    page.fill("#release-passphrase", passphrase)
    page.locator("#release-submit").click()


def row(page, org):
    return page.locator(f"#hall-bids tr[data-bidder='{org.pk}']")


def test_host_bidders_and_regulator_open_the_bids_live(asgi_server, new_page, page_in_zone, shifted_clock, settings,
                                                       tmp_path):
    settings.BID_UPLOAD_DIR = tmp_path / "bid-uploads"
    # Given a published tender with three bids sealed before its deadline …
    agency_user, agency_org = person("agency", "浙江诚信招标代理有限公司")
    regulator_user, _ = person("regulator", "安吉县发展和改革局")
    agency = Actor(user=agency_user, organisation=agency_org, role="agency")
    tender = make_tender(agency=agency, start=clock.now() - timedelta(hours=1))
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=actor_of("centre"), tender=tender, approve=True)
    lot = tender.lots.get()
    bidders = [sealed_bid(lot, *b) for b in BIDDERS]
    # … and the clock past the deadline: the hall opens on the first visit.
    shifted_clock["by"] = tender.bid_deadline - timezone.now() + timedelta(seconds=2)
    hall = f"{asgi_server.url}/tenders/{tender.pk}/lots/{lot.pk}/hall/"

    pages = {}
    for who, user in [("regulator", regulator_user), ("host", agency_user),
                      *[(f"bidder{i}", b.user) for i, b in enumerate(bidders)]]:
        # the last bidder's computer is set to California time: the hall still shows Beijing time
        page = page_in_zone("America/Los_Angeles") if who == "bidder2" else new_page()
        sign_in(page, asgi_server, user)
        page.goto(hall)
        page.wait_for_selector("#hall-link.badge-live")  # the WebSocket is up
        page.evaluate("window.__sameDocument = true")  # gone if the page ever reloads
        pages[who] = page
    regulator, host = pages["regulator"], pages["host"]
    bidder_pages = [pages[f"bidder{i}"] for i in range(3)]
    sent = []
    for page in bidder_pages:
        page.on("request", lambda request: sent.append(request))

    opening = Opening.objects.get(lot=lot)
    assert opening.status == OpeningStatus.WAITING
    began = timezone.localtime(opening.began_at).strftime("%Y-%m-%d %H:%M:%S")
    for page in pages.values():
        assert page.locator("#hall-began").inner_text() == began
    assert regulator.locator("#hall-bids tr .badge-sealed").count() == 3
    assert regulator.locator("#host-panel").is_hidden() and regulator.locator("#release-panel").is_hidden()
    assert bidder_pages[0].locator("#host-panel").is_hidden()

    # When the host starts decryption, every page follows and the bidders get the release form.
    host.locator("#start-decryption").click()
    for page in pages.values():
        page.wait_for_selector("#hall-status.badge-decrypting")
    assert host.locator("#host-panel").is_hidden()
    assert regulator.locator("#hall-decrypt-left").inner_text().startswith(zh("Time left"))
    for page in bidder_pages:
        page.wait_for_selector("#release-panel:not([hidden])")

    # A bidder pasting another bidder's key is told so in the page; nothing is sent, the bid stays sealed.
    release(bidder_pages[0], bidders[1].private_pem, bidders[1].passphrase)
    bidder_pages[0].wait_for_selector("#hall-say.msg-error")
    assert zh("This private key does not open your envelope.") in bidder_pages[0].locator("#hall-say").inner_text()
    # … and a wrong passphrase gets its own clear message, in the page's language.
    release(bidder_pages[0], bidders[0].private_pem, "not the passphrase")
    bidder_pages[0].wait_for_function(
        "text => document.getElementById('hall-say').textContent.includes(text)",
        arg=zh("This key file cannot be opened: wrong passphrase, or not a sealing key file."))
    assert OpenedBid.objects.get(bid=bidders[0].bid).status == "sealed"
    assert row(regulator, bidders[0].org).locator(".badge-sealed").count() == 1
    assert bidder_pages[0].locator("#release-panel").is_visible()

    # Each bidder releases its data key with the right key file; the regulator sees each bid decrypted.
    for i, (bidder, page) in enumerate(zip(bidders, bidder_pages)):
        release(page, bidder.private_pem, bidder.passphrase)
        row(regulator, bidder.org).locator(".badge-decrypted").wait_for()
        if i < 2:
            page.wait_for_selector("#release-panel[hidden]", state="attached")
            assert regulator.locator("#readout").is_hidden(), "nothing is read out until every key is in"
            assert regulator.locator("#hall-readout tr").count() == 0

    # After the third, the readout is on every page, with the ceiling price.
    ceiling = f"{lot.ceiling_price:,.2f}"
    for page in pages.values():
        page.wait_for_selector("#readout:not([hidden])")
        page.wait_for_selector("#hall-status.badge-confirming")
        prices = page.locator("#hall-readout tr td.num").all_inner_texts()
        assert prices == [f"{Decimal(b.price):,.2f}" for b in bidders]  # 1,180,000.00
        assert ceiling in page.locator("#readout").inner_text()
    assert regulator.locator("#hall-confirm-left").inner_text().startswith(zh("Time left"))
    assert regulator.locator("#hall-bids").inner_text().count(zh("Awaiting response")) == 3
    for i, page in enumerate(bidder_pages):  # each bidder finds its own line
        assert page.locator("#hall-readout tr.mine td").nth(1).inner_text() == BIDDERS[i][0]
    regulator.screenshot(path=SCREENSHOT, full_page=True)

    # The private keys never left the browsers: each page sent its data key only.
    release_url = f"{asgi_server.url}{reverse('api:hall_release_key', args=[lot.pk])}"
    releases = [r for r in sent if r.method == "POST" and r.url == release_url]
    assert len(releases) == 3, "the wrong key and the wrong passphrase sent nothing"
    assert all(list(json.loads(r.post_data)) == ["data_key"] for r in releases)
    for request in sent:
        body = request.post_data_buffer or b""
        assert b"PRIVATE KEY" not in body and all(b.passphrase.encode() not in body for b in bidders)

    # Then: one bidder confirms, another objects …
    bidder_pages[0].locator("#confirm-readout").click()
    row(regulator, bidders[0].org).locator(".badge-confirmed").wait_for()
    objection = "第2名的工期应为 150 天，唱标有误。"
    bidder_pages[1].fill("#objection-text", objection)
    bidder_pages[1].locator("#respond-form button[type=submit]").click()
    row(regulator, bidders[1].org).locator(".badge-objected").wait_for()
    assert bidder_pages[1].locator("#respond-form").is_hidden()
    # … the host sees it with a form to answer it, the regulator sees it awaiting an answer …
    host.locator("#hall-objections li form.answer-form").wait_for()
    assert objection in host.locator("#hall-objections").inner_text()
    regulator.wait_for_selector("#hall-objections li .badge-sealed")
    assert regulator.locator("#hall-objections form").count() == 0
    answer = "经核对投标文件，工期为 180 天，唱标无误。"
    host.fill("#hall-objections li form.answer-form textarea", answer)
    host.locator("#hall-objections li form.answer-form button[type=submit]").click()
    for page in pages.values():
        page.wait_for_function("text => document.getElementById('hall-objections').textContent.includes(text)",
                               arg=answer)
    assert Opening.objects.get(lot=lot).status == OpeningStatus.CONFIRMING

    # … and when the third bidder confirms, the opening closes and its signed record is published.
    bidder_pages[2].locator("#confirm-readout").click()
    for page in pages.values():
        page.wait_for_selector("#hall-status.badge-closed")
    regulator.wait_for_selector("#hall-record:not([hidden])")
    opening = Opening.objects.get(lot=lot)
    assert opening.status == OpeningStatus.CLOSED and opening.record_published_at is not None
    assert regulator.locator("#hall-record-sha").inner_text() == f"SHA-256 {opening.record_sha256}"
    assert {o.bid_id: o.response for o in opening.bids.all()} == {
        bidders[0].bid.pk: "confirmed", bidders[1].bid.pk: "objected", bidders[2].bid.pk: "confirmed"}
    for page in pages.values():
        assert page.evaluate("window.__sameDocument") is True, "every change arrived without a reload"
