"""Receiving an envelope's chunks: `PUT /api/bids/uploads/<id>/chunk/?offset=N` with the upload's write token.

At the bid deadline this request carries nearly every byte the platform receives (200 bidders × 20 MiB in 4 MiB
chunks is 1,000 requests in a minute), and the work it needs is small: check the token, lock the upload's row,
check the deadline and the offset, write and fsync, record what was received. Served through Django's request
handling, middleware and DRF, each chunk cost the server three times that work (bench/README.md, deadline rush).
So the request is answered twice over by the same function, `answer()`:

- `ChunkReceiver`, ASGI middleware in front of the platform (config/asgi.py): it recognises the one path and
  method, reads the body up to the limit, picks the language from Accept-Language and the language cookie as
  LocaleMiddleware does, checks the Host header against ALLOWED_HOSTS and HTTPS where SECURE_SSL_REDIRECT asks
  for it, and runs `answer()` in a worker thread with the database connection handled as Django handles it
  around a request. Everything else goes on to Django untouched.
- `UploadChunkView`, the same endpoint in Django's URLconf (bidding/api/bids.py), for what does not come through
  the ASGI application (WSGI servers, Django's test client) and for the API schema.

The token (bidding.services.bids.upload_token) is the only authority a chunk needs: no session, no API token,
so no CSRF either (nothing ambient authorises the request) and no organisation lookup."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import translation
from django.utils.translation import gettext as _

from bidding.models import BidUpload
from bidding.services.bids import bid_upload_chunk_by_token, chunk_too_large
from core.errors import DomainError, PermissionDenied

TOKEN_HEADER = "X-Upload-Token"
CONTENT_RANGE = re.compile(r"bytes (\d{1,19})-(\d{1,19})/(\d{1,19}|\*)")
OFFSET = re.compile(r"\d{1,19}")


def progress(upload: BidUpload) -> dict:
    """An upload's progress as the API shows it (UploadSerializer declares the same fields for the schema)."""
    return {"id": upload.pk, "lot_id": upload.lot_id, "declared_size": upload.declared_size,
            "declared_sha256": upload.declared_sha256, "received": upload.received,
            "idempotency_key": upload.idempotency_key,
            "created_at": _iso(upload.created_at), "expires_at": _iso(upload.expires_at),
            "finished": upload.finished_at is not None}


def _iso(value) -> str:
    """As DRF's DateTimeField writes it (ISO 8601 in the current time zone, `Z` for UTC)."""
    from rest_framework.fields import DateTimeField

    return DateTimeField().to_representation(value)


def offset_of(offset: str | None, content_range: str | None) -> int:
    if content_range:
        match = CONTENT_RANGE.fullmatch(content_range.strip())
        if not match or int(match.group(2)) < int(match.group(1)):
            raise DomainError(_("Content-Range must read “bytes <first>-<last>/<total>”."), field="Content-Range")
        return int(match.group(1))
    if offset is None:
        raise DomainError(_("Say where this chunk starts: the offset parameter or a Content-Range header."),
                          field="offset")
    if not OFFSET.fullmatch(offset.strip()):
        raise DomainError(_("The offset must be a whole number of bytes, 0 or more."), field="offset")
    return int(offset)


def answer(*, upload_id: int, token: str | None, offset: str | None, content_range: str | None,
           read_body: Callable[[], bytes]) -> tuple[int, dict]:
    """(HTTP status, JSON document) for one chunk: the upload's progress, or the platform's error shape."""
    try:
        if not token:
            raise DomainError(_("Send the upload's token in the %(header)s header (it comes with the answer that "
                                "started the upload, and with its progress).") % {"header": TOKEN_HEADER},
                              field=TOKEN_HEADER, code="bad_upload_token")
        start = offset_of(offset, content_range)
        data = read_body()
        upload = bid_upload_chunk_by_token(token=token, upload_id=upload_id, offset=start, data=data)
    except DomainError as refusal:
        return refusal.status_code, refusal.document()
    return HTTPStatus.OK, progress(upload)


# --- the ASGI path -----------------------------------------------------------------------------------------------


class _Refused(Exception):
    """Refused before the body is read: answered in the request's language, nothing written. Carries how to
    make the DomainError, so that its message is translated once the language is active."""

    def __init__(self, error: Callable[[], DomainError]):
        self.error = error


class ChunkReceiver:
    """ASGI middleware: answers chunk PUTs itself (see the module's docstring), hands everything else on."""

    def __init__(self, app):
        self.app = app
        self._route: tuple[str, str] | None = None

    def _upload_id(self, path: str) -> int | None:
        if self._route is None:
            from django.urls import reverse

            prefix, suffix = reverse("api:bid_upload_chunk", args=[987654321]).split("987654321")
            self._route = (prefix, suffix)
        prefix, suffix = self._route
        if not (path.startswith(prefix) and path.endswith(suffix)):
            return None
        middle = path[len(prefix):len(path) - len(suffix)]
        return int(middle) if middle.isascii() and middle.isdigit() and len(middle) < 19 else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "PUT":
            return await self.app(scope, receive, send)
        upload_id = self._upload_id(scope["path"])
        if upload_id is None:
            return await self.app(scope, receive, send)
        headers = {}
        for name, value in scope["headers"]:
            headers[name.decode("latin-1").lower()] = value.decode("latin-1")
        language = _language(headers)
        limit = settings.BID_UPLOAD_CHUNK_MAX_BYTES
        pieces: list[bytes] = []  # joined once at the end: growing one buffer copied each chunk several times over
        size = 0
        try:
            _check_host(headers, scope)
            _check_https(headers, scope)
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _Refused(chunk_too_large)
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the client left: nothing to answer, nothing written
                piece = message.get("body", b"")
                if piece:
                    pieces.append(piece)
                    size += len(piece)
                if size > limit:
                    raise _Refused(chunk_too_large)
                if not message.get("more_body", False):
                    break
        except _Refused as refused:
            with translation.override(language):
                error = refused.error()
                return await _send_json(send, error.status_code, error.document(), language)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        status, document = await sync_to_async(_answer_in_thread, thread_sensitive=False)(
            language, upload_id=upload_id, token=headers.get(TOKEN_HEADER.lower()),
            offset=(query.get("offset") or [None])[0], content_range=headers.get("content-range"),
            read_body=lambda: pieces[0] if len(pieces) == 1 else b"".join(pieces))
        return await _send_json(send, status, document, language)


def _answer_in_thread(language: str, **kwargs) -> tuple[int, dict]:
    # As Django's handler does around every request (request_started / request_finished): drop a connection
    # that is broken or past CONN_MAX_AGE before, and after, so a pooled one goes back to its pool.
    close_old_connections()
    try:
        with translation.override(language):
            return answer(**kwargs)
    finally:
        close_old_connections()


def _language(headers: dict[str, str]) -> str:
    """The language LocaleMiddleware would pick: the language cookie, else Accept-Language, else the default."""
    from django.http.cookie import parse_cookie
    from django.utils.translation import get_supported_language_variant
    from django.utils.translation.trans_real import get_language_from_request

    class Request:  # what get_language_from_request reads
        COOKIES = parse_cookie(headers.get("cookie", ""))
        META = {"HTTP_ACCEPT_LANGUAGE": headers.get("accept-language", "")}

    try:
        return get_supported_language_variant(get_language_from_request(Request, check_path=False))
    except LookupError:
        return settings.LANGUAGE_CODE


def _check_host(headers: dict[str, str], scope) -> None:
    """ALLOWED_HOSTS, as HttpRequest.get_host() enforces it."""
    from django.http.request import split_domain_port, validate_host

    host = headers.get("host", "")
    if not host and scope.get("server"):
        host = f"{scope['server'][0]}:{scope['server'][1]}"
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    if not (domain and validate_host(domain, allowed)):
        raise _Refused(lambda: DomainError(_("This address does not serve the platform (the Host header is not one "
                                             "of ALLOWED_HOSTS)."), code="bad_host"))


def _check_https(headers: dict[str, str], scope) -> None:
    """Where SECURE_SSL_REDIRECT sends every plain-HTTP request to HTTPS, a chunk sent in clear is refused (a
    redirect would drop its body)."""
    if not settings.SECURE_SSL_REDIRECT or scope.get("scheme") == "https":
        return
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        name, value = proxy
        name = name.removeprefix("HTTP_").replace("_", "-").lower()
        if headers.get(name, "").split(",")[0].strip() == value:
            return
    raise _Refused(lambda: PermissionDenied(_("Send uploads over HTTPS."), code="https_required"))


async def _send_json(send, status: int, document: dict, language: str) -> None:
    body = json.dumps(document, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": int(status), "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"content-language", language.encode()), (b"vary", b"Accept-Language, Cookie"),
        (b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]})
    await send({"type": "http.response.body", "body": body})
