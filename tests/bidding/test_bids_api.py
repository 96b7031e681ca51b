"""The bid submission API: start, PUT chunks (offset or Content-Range), resume, finish, retry, withdraw,
my bids, the receipt key; errors in the {"code", "detail", "fields"} shape."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bidding.models import Bid, BidUpload
from tests.bidding.conftest import make_sealer
from tests.factories import actor_of
from witness.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("bid_dirs")]
ROOT = Path(__file__).resolve().parents[2]


def client_of(actor) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=actor.user)[0].key}")
    return client


def start(client, lot, envelope, key="api-1"):
    return client.post("/api/bids/uploads/", {"lot_id": lot.pk, "size": len(envelope),
                                              "sha256": hashlib.sha256(envelope).hexdigest(),
                                              "idempotency_key": key}, format="json")


def put(client, upload, data, *, offset=None, content_range=None, token=None):
    """A chunk, sent with the upload's token (the answer that started it carries one)."""
    url = f"/api/bids/uploads/{upload['id']}/chunk/" + (f"?offset={offset}" if offset is not None else "")
    extra = {"HTTP_CONTENT_RANGE": content_range} if content_range else {}
    token = upload["upload_token"] if token is None else token
    if token:
        extra["HTTP_X_UPLOAD_TOKEN"] = token
    return client.put(url, data=data, content_type="application/octet-stream", **extra)


def test_a_bid_goes_through_the_api_and_its_receipt_verifies_with_the_ebid_command(open_tender, sealer, tmp_path):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    client = client_of(sealer.actor)
    upload = start(client, lot, envelope).json()
    assert put(client, upload, envelope[:800], offset=0).json()["received"] == 800
    # a dropped connection: the client asks how far it got and resumes there
    assert client.get(f"/api/bids/uploads/{upload['id']}/").json()["received"] == 800
    assert put(client, upload, envelope[800:], content_range=f"bytes 800-{len(envelope) - 1}/{len(envelope)}"
               ).json()["received"] == len(envelope)
    answer = client.post(f"/api/bids/uploads/{upload['id']}/finish/")
    assert answer.status_code == 201
    bid = answer.json()
    assert client.post(f"/api/bids/uploads/{upload['id']}/finish/").json() == bid  # a retry: the same receipt
    assert Bid.objects.count() == 1
    mine = client.get(f"/api/lots/{lot.pk}/my-bids/").json()
    assert [b["id"] for b in mine] == [bid["id"]]

    # the bidder checks the receipt offline with the published key
    key = APIClient().get("/api/platform/receipt-key/").json()
    assert key["fingerprint"] == bid["receipt"]["signature"]["key_fingerprint"]
    (tmp_path / "platform.pub").write_text(key["public_key_pem"])
    (tmp_path / "receipt.json").write_text(json.dumps(bid["receipt"]))
    (tmp_path / "bid.ebid").write_bytes(envelope)
    done = subprocess.run([sys.executable, "-m", "ebid.cli", "verify-receipt", str(tmp_path / "receipt.json"),
                           "--platform-key", str(tmp_path / "platform.pub"), "--envelope", str(tmp_path / "bid.ebid")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert client.get("/tenders/receipt-key.pem").content.decode() == key["public_key_pem"]

    withdrawn = client.post(f"/api/bids/{bid['id']}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_refusals_have_the_error_shape_and_change_nothing(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    client = client_of(sealer.actor)
    upload = start(client, lot, envelope).json()
    before = (Bid.objects.count(), BidUpload.objects.count(), Event.objects.count())

    skipped = put(client, upload, envelope[100:200], offset=100)
    assert skipped.status_code == 400 and skipped.json()["code"] == "offset_mismatch"
    assert set(skipped.json()) == {"code", "detail", "fields"}
    assert put(client, upload, b"x").json()["fields"] == {"offset": [
        "Say where this chunk starts: the offset parameter or a Content-Range header."]}
    assert put(client, upload, b"x", content_range="bytes=0-").status_code == 400
    assert client.post(f"/api/bids/uploads/{upload['id']}/finish/").json()["code"] == "incomplete"
    assert client.post("/api/bids/uploads/", {"lot_id": lot.pk}, format="json").json()["code"] == "invalid"

    other = client_of(actor_of("bidder"))
    assert other.get(f"/api/bids/uploads/{upload['id']}/").status_code == 404
    assert client_of(actor_of("agency")).post("/api/bids/uploads/", {
        "lot_id": lot.pk, "size": 10, "sha256": "0" * 64, "idempotency_key": "a"}, format="json").status_code == 403
    assert APIClient().post("/api/bids/uploads/", {}, format="json").status_code in (401, 403)
    assert (Bid.objects.count(), BidUpload.objects.count(), Event.objects.count()) == before


def test_an_oversize_chunk_is_refused(open_tender, sealer, settings):
    settings.BID_UPLOAD_CHUNK_MAX_BYTES = 100
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    client = client_of(sealer.actor)
    upload = start(client, lot, envelope).json()
    answer = put(client, upload, envelope[:101], offset=0)
    assert answer.status_code == 400 and answer.json()["code"] == "chunk_too_large"
    assert BidUpload.objects.get(pk=upload["id"]).received == 0


def test_a_chunk_needs_its_uploads_token_and_nothing_else(open_tender, sealer):
    """The token authorises appending to its own upload only: no token, a forged one, or another upload's token
    is refused and writes nothing; with the right one, no session or API token is needed."""
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    client = client_of(sealer.actor)
    upload = start(client, lot, envelope).json()
    second = start(client, lot, envelope, key="api-2").json()
    assert upload["upload_token"] != second["upload_token"]
    assert client.get(f"/api/bids/uploads/{upload['id']}/").json()["upload_token"] == upload["upload_token"]

    missing = put(client, upload, envelope[:100], offset=0, token="")
    assert missing.status_code == 400 and missing.json()["code"] == "bad_upload_token"
    assert "X-Upload-Token" in missing.json()["detail"]
    forged = upload["upload_token"][:-2] + ("AA" if not upload["upload_token"].endswith("AA") else "BB")
    for token in (forged, second["upload_token"], f"{upload['id']}.{sealer.actor.organisation_id}"):
        refused = put(client, upload, envelope[:100], offset=0, token=token)
        assert refused.status_code == 403 and refused.json()["code"] == "bad_upload_token", token
    # another organisation's token, for its own upload of the same lot, opens nothing of this one
    outsider = make_sealer(actor_of("bidder"))
    theirs = start(client_of(outsider.actor), lot, outsider.seal(lot)).json()
    refused = put(client, upload, envelope[:100], offset=0, token=theirs["upload_token"])
    assert refused.status_code == 403 and refused.json()["code"] == "bad_upload_token"
    refused = put(client, theirs, envelope[:100], offset=0, token=upload["upload_token"])
    assert refused.status_code == 403 and BidUpload.objects.get(pk=theirs["id"]).received == 0
    assert BidUpload.objects.get(pk=upload["id"]).received == 0

    anonymous = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert put(anonymous, upload, envelope[:100], offset=0).json()["received"] == 100
    late_token = put(anonymous, upload, envelope[100:], offset=100, token=second["upload_token"])
    assert "上传凭证" in late_token.json()["detail"]  # the refusal in the user's language
    assert put(client, upload, envelope[100:], offset=100).json()["received"] == len(envelope)
    assert client.post(f"/api/bids/uploads/{upload['id']}/finish/").status_code == 201
    finished = put(anonymous, upload, envelope[:100], offset=0)
    assert finished.status_code == 409 and finished.json()["code"] == "illegal_transition"


def test_a_chunk_after_the_deadline_is_refused_with_the_deadline_and_the_server_time(open_tender, sealer, clock_at):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    client = client_of(sealer.actor)
    upload = start(client, lot, envelope).json()
    assert put(client, upload, envelope[:100], offset=0).json()["received"] == 100
    clock_at(open_tender.bid_deadline)  # the deadline itself is already too late
    late = put(APIClient(HTTP_ACCEPT_LANGUAGE="en"), upload, envelope[100:], offset=100)
    assert late.status_code == 409 and late.json()["code"] == "deadline_passed"
    assert "The bid deadline was" in late.json()["detail"] and "the server time is" in late.json()["detail"]
    assert BidUpload.objects.get(pk=upload["id"]).received == 100
