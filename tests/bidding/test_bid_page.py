"""The bid submission page: who may open it, the link on the tender page, what it hands the browser."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client

from accounts.models import Organisation
from tests.factories import actor_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "bid_dirs")]


def signed_in(actor) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(actor.user)
    return client


def test_an_approved_bidder_gets_the_page_and_the_link(open_tender, sealer):
    lot = open_tender.lots.get()
    url = f"/tenders/{open_tender.pk}/lots/{lot.pk}/bid/"
    client = signed_in(sealer.actor)
    assert url in client.get(f"/tenders/{open_tender.pk}/").text
    page = client.get(url)
    assert page.status_code == 200
    config = json.loads(re.search(r'<script id="bid-config" type="application/json">(.*?)</script>', page.text,
                                  re.S).group(1))
    assert config["binding"] == {"tenderId": open_tender.pk, "tenderReference": open_tender.reference,
                                 "lotId": lot.pk, "bidderId": sealer.actor.organisation.pk,
                                 "bidderCreditCode": sealer.actor.organisation.credit_code}
    assert len(config["recipients"]) == 1 and "BEGIN PUBLIC KEY" in config["recipients"][0]
    assert "js/ebid-seal.js" in page.text and "js/bid-submit.js" in page.text


# role × state → may open the page (200) or not (403 / 404 / redirect to sign in)
MATRIX = [
    ("bidder", Organisation.Status.APPROVED, "open", 200),
    ("bidder", Organisation.Status.PENDING, "open", 403),
    ("agency", Organisation.Status.APPROVED, "open", 403),
    ("tenderer", Organisation.Status.APPROVED, "open", 403),
    ("centre", Organisation.Status.APPROVED, "open", 403),
    ("regulator", Organisation.Status.APPROVED, "open", 403),
    ("bidder", Organisation.Status.APPROVED, "closed", 403),
    (None, None, "open", 302),
]


@pytest.mark.parametrize("kind, status, state, expected", MATRIX)
def test_who_may_open_the_page(open_tender, clock_at, kind, status, state, expected):
    lot = open_tender.lots.get()
    client = signed_in(actor_of(kind, status=status)) if kind else Client()
    if state == "closed":
        clock_at(open_tender.bid_deadline + timedelta(seconds=1))
    answer = client.get(f"/tenders/{open_tender.pk}/lots/{lot.pk}/bid/")
    assert answer.status_code == expected
    if expected != 200 and kind:
        assert f"/lots/{lot.pk}/bid/" not in client.get(f"/tenders/{open_tender.pk}/").text


def test_the_receipt_key_is_published_as_pem(client):
    answer = client.get("/tenders/receipt-key.pem")
    assert answer.status_code == 200 and answer.content.startswith(b"-----BEGIN PUBLIC KEY-----")
