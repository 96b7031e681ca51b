"""The hall's API and pages, and its permission matrix (role × opening stage × action)."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Organisation
from bidding.models import OpenedBid, Opening
from bidding.permissions import HallAction, hall_can
from bidding.services import opening as svc
from core.actor import Actor
from tests.bidding.test_opening import Bidder
from tests.factories import actor_of
from tests.witness.test_views import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(open_tender, bid_dirs, clock_at):
    lot = open_tender.lots.get()
    bidders = [Bidder(p) for p in ("1180000.00", "1234567.89", "1099999.50")]
    for b in bidders:
        b.submit(lot)
    clock_at(open_tender.bid_deadline + timedelta(seconds=5))
    return lot, bidders


def api(name, *args):
    return reverse(f"api:{name}", args=args)


def test_the_hall_flow_over_the_api(hall, agency):
    lot, bidders = hall
    assert client_for(agency).post(api("hall_start_decryption", lot.pk)).status_code == 200
    b0 = client_for(bidders[0].actor)
    header = b0.get(api("hall_envelope_header", lot.pk))
    assert header.status_code == 200 and header.content == bidders[0].envelope[:len(header.content)]
    answer = b0.post(api("hall_release_key", lot.pk), {"data_key": base64.b64encode(bidders[0].data_key()).decode()},
                     content_type="application/json")
    assert answer.status_code == 200 and answer.json()["counts"]["opened"] == 1
    backup = client_for(bidders[1].actor).post(api("hall_backup", lot.pk), {
        "salts": SimpleUploadedFile("bid.ebid.salts", __import__("json").dumps(bidders[1].salts).encode()),
        "files": list(bidders[1].backup_parts().values())})
    assert backup.status_code == 200, backup.content
    last = client_for(bidders[2].actor).post(api("hall_release_key", lot.pk),
                                             {"data_key": base64.b64encode(bidders[2].data_key()).decode()},
                                             content_type="application/json")
    state = last.json()
    assert state["status"] == "confirming" and [r["via"] for r in state["readout"]] == ["decrypted", "backup",
                                                                                          "decrypted"]
    objected = client_for(bidders[1].actor).post(api("hall_respond", lot.pk), {"objection": "报价读错"},
                                                 content_type="application/json")
    assert objected.status_code == 200 and objected.json()["objections"][0]["text"] == "报价读错"
    objection_id = objected.json()["objections"][0]["id"]
    answered = client_for(agency).post(api("hall_answer_objection", objection_id), {"answer": "已核对，无误。"},
                                       content_type="application/json")
    assert answered.status_code == 200 and answered.json()["objections"][0]["answer"] == "已核对，无误。"


@pytest.mark.parametrize("payload, field", [
    ({"data_key": "not base64!"}, "data_key"),
    ({"data_key": base64.b64encode(b"short").decode()}, "data_key"),
    ({}, "data_key"),
])
def test_bad_keys_get_a_clear_400_and_change_nothing(hall, agency, payload, field):
    lot, bidders = hall
    svc.decryption_start(actor=agency, lot_id=lot.pk)
    response = client_for(bidders[0].actor).post(api("hall_release_key", lot.pk), payload,
                                                 content_type="application/json")
    assert response.status_code == 400 and field in response.json()["fields"]
    assert OpenedBid.objects.get(bid=bidders[0].bid).status == "sealed"


def test_a_wrong_key_over_the_api_is_a_400_that_names_the_attempt(hall, agency):
    lot, bidders = hall
    svc.decryption_start(actor=agency, lot_id=lot.pk)
    response = client_for(bidders[0].actor).post(api("hall_release_key", lot.pk),
                                                 {"data_key": base64.b64encode(bidders[1].data_key()).decode()},
                                                 content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "wrong_key"
    assert "attempt 1" in response.json()["detail"]


def test_the_hall_speaks_chinese_by_default(hall, agency):
    lot, bidders = hall
    client = client_for(agency)
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")
    response = client.get(api("hall_state", lot.pk))
    assert response.status_code == 200
    start = client.post(api("hall_start_decryption", lot.pk))
    again = client.post(api("hall_start_decryption", lot.pk))
    assert start.status_code == 200 and again.status_code == 409
    assert "解密" in again.json()["detail"]


def test_the_page_renders_the_state_and_the_lot_links_to_it(hall, agency, regulator):
    lot, bidders = hall
    page = client_for(regulator).get(reverse("bidding:hall", args=[lot.tender_id, lot.pk]))
    assert page.status_code == 200
    import json
    import re

    embedded = re.search(r'<script id="hall-state" type="application/json">(.*?)</script>', page.content.decode(), re.S)
    state = json.loads(embedded.group(1))
    assert [b["bidder"] for b in state["bids"]] == [b.actor.organisation.name for b in bidders]
    detail = client_for(agency).get(reverse("bidding:tender_detail", args=[lot.tender_id]))
    assert reverse("bidding:hall", args=[lot.tender_id, lot.pk]) in detail.content.decode()
    # Someone outside the opening gets a 404, an anonymous visitor the sign-in page.
    assert client_for(actor_of("bidder")).get(reverse("bidding:hall", args=[lot.tender_id, lot.pk])).status_code == 404
    assert client_for().get(reverse("bidding:hall", args=[lot.tender_id, lot.pk])).status_code == 302


# --- the matrix ------------------------------------------------------------------------------------------

ROLES = ["host", "other_agency", "tenderer", "regulator", "centre", "listed_bidder", "other_bidder",
         "unapproved_regulator", "anonymous"]
ALLOWED = {
    # (role) -> actions allowed while the opening runs (before its record is published)
    "host": {HallAction.WATCH, HallAction.HOST},
    "other_agency": set(),
    "tenderer": {HallAction.WATCH},
    "regulator": {HallAction.WATCH},
    "centre": {HallAction.WATCH, HallAction.RECLASSIFY},
    "listed_bidder": {HallAction.WATCH, HallAction.RELEASE, HallAction.RESPOND},
    "other_bidder": set(),
    "unapproved_regulator": set(),
    "anonymous": set(),
}


def _actor(role, hall, agency, tenderer, regulator, centre) -> Actor:
    lot, bidders = hall
    return {
        "host": agency, "tenderer": tenderer, "regulator": regulator, "centre": centre,
        "other_agency": actor_of("agency"), "listed_bidder": bidders[0].actor, "other_bidder": actor_of("bidder"),
        "unapproved_regulator": actor_of("regulator", status=Organisation.Status.PENDING),
        "anonymous": Actor(user=None, organisation=None, role="anonymous"),
    }[role]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_while_the_opening_runs(hall, role, agency, tenderer, regulator, centre):
    lot, _ = hall
    actor = _actor(role, hall, agency, tenderer, regulator, centre)
    opening = svc.opening_for(actor=regulator, lot_id=lot.pk)
    for action in HallAction:
        assert hall_can(actor, opening, action) == (action in ALLOWED[role]), (role, action)
    # The services agree with the matrix for watching and hosting.
    if HallAction.WATCH in ALLOWED[role]:
        assert svc.opening_for(actor=actor, lot_id=lot.pk).pk == opening.pk
    else:
        with pytest.raises(svc.NotFound):
            svc.opening_for(actor=actor, lot_id=lot.pk)
    if HallAction.HOST not in ALLOWED[role]:
        with pytest.raises((svc.NotFound, svc.PermissionDenied)):
            svc.decryption_start(actor=actor, lot_id=lot.pk)
        assert Opening.objects.get().status == "waiting"


@pytest.mark.parametrize("role", ROLES)
def test_once_the_record_is_published_everyone_may_watch_but_not_act(hall, role, agency, tenderer, regulator, centre):
    lot, _ = hall
    opening = svc.opening_for(actor=regulator, lot_id=lot.pk)
    Opening.objects.filter(pk=opening.pk).update(record_published_at=opening.began_at + timedelta(hours=1))
    opening.refresh_from_db()
    actor = _actor(role, hall, agency, tenderer, regulator, centre)
    assert hall_can(actor, opening, HallAction.WATCH)
    for action in (HallAction.HOST, HallAction.RELEASE, HallAction.RESPOND, HallAction.RECLASSIFY):
        assert hall_can(actor, opening, action) == (action in ALLOWED[role])
