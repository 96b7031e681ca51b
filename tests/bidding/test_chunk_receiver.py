"""The ASGI path of a bid chunk (bidding.api.chunks.ChunkReceiver, in front of the platform's ASGI application):
it answers what the Django view answers, in the same shape and language, checks the host and HTTPS as Django
would, refuses an oversize body without keeping it, and hands every other request to Django.

These run the real config.asgi application. The chunk is written in a worker thread on its own database
connection, so the tests commit their data (transaction=True)."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest
from asgiref.sync import async_to_sync
from rest_framework.test import APIClient

from bidding.models import Bid, BidUpload
from tests.bidding.test_bids_api import client_of, put, start

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("bid_dirs")]


def asgi(method: str, path: str, *, body: bytes = b"", headers: dict | None = None, query: str = "",
         pieces: int = 1, disconnect: bool = False) -> tuple[int, dict, bytes]:
    """One request through config.asgi.application: (status, response headers, body)."""
    from config.asgi import application

    headers = {"host": "testserver", **(headers or {})}
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    size = max(1, -(-len(body) // pieces))
    messages = [{"type": "http.request", "body": body[i:i + size], "more_body": i + size < len(body)}
                for i in range(0, max(len(body), 1), size)]
    if disconnect:
        messages[-1]["more_body"] = True
        messages.append({"type": "http.disconnect"})
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # no more messages: the client waits for the answer

    async def send(message):
        sent.append(message)

    async def run():
        await application(scope, receive, send)

    async_to_sync(run)()
    if not sent:
        return 0, {}, b""
    start_message = sent[0]
    return (start_message["status"], {k.decode(): v.decode() for k, v in start_message["headers"]},
            b"".join(m.get("body", b"") for m in sent[1:]))


def chunk(upload: dict, data: bytes, offset: int | None, *, token: str | None = None, language: str = "en",
          **kwargs) -> tuple[int, dict]:
    headers = {"content-type": "application/octet-stream", "content-length": str(len(data)),
               "accept-language": language, "x-upload-token": upload["upload_token"] if token is None else token,
               **kwargs.pop("headers", {})}
    status, _headers, body = asgi("PUT", f"/api/bids/uploads/{upload['id']}/chunk/", body=data, headers=headers,
                                  query="" if offset is None else f"offset={offset}", **kwargs)
    return status, json.loads(body) if body else {}


def test_an_envelope_sent_through_the_asgi_path_becomes_a_bid(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    client = client_of(sealer.actor)
    upload = start(client, lot, envelope).json()
    status, first = chunk(upload, envelope[:700], 0, pieces=5)
    assert status == 200 and first["received"] == 700
    # the same document the view answers: ask the view for the rest, compare the shapes
    assert set(first) == set(put(client, upload, envelope[700:710], offset=700).json())
    status, done = chunk(upload, envelope[710:], 710)
    assert status == 200 and done["received"] == len(envelope) and done["finished"] is False
    bid = client.post(f"/api/bids/uploads/{upload['id']}/finish/").json()
    assert bid["sha256"] == hashlib.sha256(envelope).hexdigest()
    assert Bid.objects.get().size == len(envelope)


@pytest.mark.parametrize("case", ["no token", "other upload's token", "skipped bytes", "no offset", "bad range"])
def test_a_refusal_on_the_asgi_path_is_the_views_refusal(open_tender, sealer, case):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    client = client_of(sealer.actor)
    upload = start(client, lot, envelope).json()
    other = start(client, lot, envelope, key="other").json()
    token = {"no token": "", "other upload's token": other["upload_token"]}.get(case)
    offset = {"skipped bytes": 50, "no offset": None}.get(case, 0)
    content_range = "bytes=0-" if case == "bad range" else None
    for language in ("en", "zh-hans"):
        status, document = chunk(upload, envelope[:100], offset, token=token, language=language,
                                 headers={"content-range": content_range} if content_range else {})
        view = put(APIClient(HTTP_ACCEPT_LANGUAGE=language), upload, envelope[:100], offset=offset, token=token,
                   content_range=content_range)
        assert status == view.status_code >= 400
        assert document == view.json()
        assert set(document) == {"code", "detail", "fields"}
    assert BidUpload.objects.get(pk=upload["id"]).received == 0


def test_an_oversize_chunk_is_refused_before_or_while_reading_it(open_tender, sealer, settings):
    settings.BID_UPLOAD_CHUNK_MAX_BYTES = 100
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(client_of(sealer.actor), lot, envelope).json()
    declared = chunk(upload, envelope[:101], 0, language="zh-hans")
    assert declared[0] == 400 and declared[1]["code"] == "chunk_too_large" and "100" in declared[1]["detail"]
    # a body that does not declare its length is cut off once it passes the limit
    _status, _headers, body = asgi("PUT", f"/api/bids/uploads/{upload['id']}/chunk/", body=envelope[:400], pieces=8,
                                   headers={"x-upload-token": upload["upload_token"], "accept-language": "en"},
                                   query="offset=0")
    assert json.loads(body)["code"] == "chunk_too_large"
    assert BidUpload.objects.get(pk=upload["id"]).received == 0


def test_a_client_that_leaves_mid_chunk_writes_nothing(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(client_of(sealer.actor), lot, envelope).json()
    assert chunk(upload, envelope[:300], 0, pieces=3, disconnect=True) == (0, {})
    assert BidUpload.objects.get(pk=upload["id"]).received == 0


def test_host_and_https_are_checked_as_django_checks_them(open_tender, sealer, settings):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(client_of(sealer.actor), lot, envelope).json()
    status, document = chunk(upload, envelope[:10], 0, headers={"host": "evil.example"})
    assert status == 400 and document["code"] == "bad_host"

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    status, document = chunk(upload, envelope[:10], 0, language="zh-hans")
    assert status == 403 and document["code"] == "https_required" and "HTTPS" in document["detail"]
    assert BidUpload.objects.get(pk=upload["id"]).received == 0
    status, document = chunk(upload, envelope[:10], 0, headers={"x-forwarded-proto": "https"})
    assert status == 200 and document["received"] == 10


def test_every_other_request_goes_on_to_django(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = start(client_of(sealer.actor), lot, envelope).json()
    # another method on the chunk's path: DRF's answer (method not allowed), not the receiver's
    status, headers, body = asgi("POST", f"/api/bids/uploads/{upload['id']}/chunk/",
                                 headers={"accept-language": "en"})
    assert status == 405 and json.loads(body)["code"] == "method_not_allowed"
    # a PUT elsewhere, and a path that only looks alike
    for path in ("/api/bids/uploads/", f"/api/bids/uploads/{upload['id']}/chunk/extra/", "/api/bids/uploads/x/chunk/"):
        status, headers, body = asgi("PUT", path, headers={"accept-language": "en"})
        assert status in (401, 403, 404, 405), (path, status)
        assert b"bad_upload_token" not in body  # Django answered (a page or DRF's error), not the receiver
    assert BidUpload.objects.get(pk=upload["id"]).received == 0
