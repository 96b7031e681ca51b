"""Sealed bid submission over the API: start a resumable upload, PUT its chunks, finish it for a signed
receipt, withdraw, list your own bids for a lot, and fetch the platform's receipt public key.

Explicit actions: each parses its input for types and hands the rules to bidding.services.bids. The
envelope is opaque here as everywhere on the server."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.api import ACTING_PARAMETER, PlatformAPIView, error_responses, parsed
from bidding.api.chunks import TOKEN_HEADER, answer, progress
from bidding.models import Bid
from bidding.receipts import public_key_info
from bidding.services.bids import (
    bid_upload_finish,
    bid_upload_start,
    bid_withdraw,
    bids_of_bidder,
    chunk_too_large,
    upload_for_bidder,
    upload_token,
)


class UploadStartSerializer(serializers.Serializer):
    lot_id = serializers.IntegerField(min_value=1, max_value=2**53)
    size = serializers.IntegerField(min_value=1, max_value=2**62, help_text=_lazy("The envelope's size in bytes."))
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", help_text=_lazy("SHA-256 of the whole envelope, hex."))
    idempotency_key = serializers.CharField(max_length=100, help_text=_lazy(
        "A fresh random key per envelope; repeat it only to retry (the same upload comes back)."))


class UploadProgressSerializer(serializers.Serializer):
    """An upload's progress, as every chunk answers it. The fields are declared for the schema only: the document
    itself is bidding.api.chunks.progress, a plain dict, since it answers every chunk of every bid at the deadline."""

    id = serializers.IntegerField(read_only=True)
    lot_id = serializers.IntegerField(read_only=True)
    declared_size = serializers.IntegerField(read_only=True)
    declared_sha256 = serializers.CharField(read_only=True)
    received = serializers.IntegerField(read_only=True)
    idempotency_key = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    finished = serializers.BooleanField(read_only=True)

    def to_representation(self, instance) -> dict:
        return progress(instance)


class UploadSerializer(UploadProgressSerializer):
    """The progress, and the token that authorises sending the upload's chunks."""

    upload_token = serializers.CharField(read_only=True, help_text=_lazy(
        "Send it in the X-Upload-Token header of every chunk. It lets whoever holds it append to this upload "
        "only, until it is finished or expires; keep it as you keep your API token."))

    def to_representation(self, instance) -> dict:
        return {**progress(instance), "upload_token": upload_token(instance)}


class ReceiptSignatureSerializer(serializers.Serializer):
    algorithm = serializers.CharField()
    key_fingerprint = serializers.CharField()
    value = serializers.CharField()


class BidSerializer(serializers.ModelSerializer):
    lot_id = serializers.IntegerField()
    status = serializers.CharField(help_text=_lazy("submitted, replaced (by a later envelope) or withdrawn"))
    receipt = serializers.SerializerMethodField()

    class Meta:
        model = Bid
        fields = ["id", "lot_id", "status", "size", "sha256", "received_at", "status_changed_at", "receipt"]

    def get_receipt(self, obj) -> dict:
        """The receipt file (docs/sealing.md §8): save it and check it with `ebid verify-receipt`."""
        return obj.receipt_document()


class ReceiptKeySerializer(serializers.Serializer):
    algorithm = serializers.CharField()
    fingerprint = serializers.CharField()
    public_key_pem = serializers.CharField()


class OffsetSerializer(serializers.Serializer):
    offset = serializers.IntegerField(min_value=0, max_value=2**62, required=False)


class UploadStartView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="bid_uploads_start", tags=["bids"], parameters=[ACTING_PARAMETER],
                   request=UploadStartSerializer, responses={201: UploadSerializer, **error_responses(400, 401, 403,
                                                                                                      404, 409)},
                   summary=_lazy("Start (or, with the same idempotency key, resume) a sealed bid upload"))
    def post(self, request):
        data = parsed(UploadStartSerializer, request.data)
        upload = bid_upload_start(actor=self.actor, lot_id=data["lot_id"], size=data["size"], sha256=data["sha256"],
                                  idempotency_key=data["idempotency_key"])
        return Response(UploadSerializer(upload).data, status=status.HTTP_201_CREATED)


class UploadDetailView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="bid_uploads_retrieve", tags=["bids"], parameters=[ACTING_PARAMETER],
                   responses={200: UploadSerializer, **error_responses(401, 403, 404)},
                   summary=_lazy("An upload's progress: resume from `received`"))
    def get(self, request, pk: int):
        return Response(UploadSerializer(upload_for_bidder(actor=self.actor, upload_id=pk)).data)


class UploadChunkView(PlatformAPIView):
    """Served here for WSGI and the test client; under ASGI, bidding.api.chunks.ChunkReceiver answers the same
    request with the same function before Django sees it."""

    authentication_classes: list = []  # the upload token is the authority (no session, hence no CSRF)
    permission_classes = [AllowAny]

    @extend_schema(operation_id="bid_uploads_chunk", tags=["bids"], auth=[],
                   parameters=[OffsetSerializer,
                               OpenApiParameter(TOKEN_HEADER, str, OpenApiParameter.HEADER, required=True,
                                                description=_lazy("The upload's `upload_token`.")),
                               OpenApiParameter("Content-Range", str, OpenApiParameter.HEADER, required=False,
                                                description=_lazy("bytes <first>-<last>/<total>, instead of offset"))],
                   request={"application/octet-stream": OpenApiTypes.BINARY},
                   responses={200: UploadProgressSerializer, **error_responses(400, 403, 404, 409)},
                   summary=_lazy("Send the envelope's bytes from `offset` (= bytes received so far)"))
    def put(self, request, pk: int):
        def read_body() -> bytes:
            declared = request.META.get("CONTENT_LENGTH") or ""
            if declared.isdigit() and int(declared) > settings.BID_UPLOAD_CHUNK_MAX_BYTES:
                raise chunk_too_large()
            return request._request.read(settings.BID_UPLOAD_CHUNK_MAX_BYTES + 1)

        status_code, document = answer(upload_id=pk, token=request.headers.get(TOKEN_HEADER),
                                       offset=request.query_params.get("offset"),
                                       content_range=request.headers.get("Content-Range"), read_body=read_body)
        return Response(document, status=status_code)


class UploadFinishView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="bid_uploads_finish", tags=["bids"], parameters=[ACTING_PARAMETER], request=None,
                   responses={201: BidSerializer, **error_responses(400, 401, 403, 404, 409)},
                   summary=_lazy("Finish the upload: the envelope is checked, stored and receipted"),
                   description=_lazy("Checks size, SHA-256, structure and binding (tender, lot, bidder, your active "
                                     "sealing keys), then, before the deadline by the server's clock, stores it and "
                                     "returns the bid with its signed receipt. A retry returns the same bid."))
    def post(self, request, pk: int):
        bid = bid_upload_finish(actor=self.actor, upload_id=pk)
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)


class BidWithdrawView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="bids_withdraw", tags=["bids"], parameters=[ACTING_PARAMETER], request=None,
                   responses={200: BidSerializer, **error_responses(401, 403, 404, 409)},
                   summary=_lazy("Withdraw your bid before the deadline"))
    def post(self, request, pk: int):
        return Response(BidSerializer(bid_withdraw(actor=self.actor, bid_id=pk)).data)


class MyBidsView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="lots_my_bids", tags=["bids"], parameters=[ACTING_PARAMETER],
                   responses={200: BidSerializer(many=True), **error_responses(401, 403, 404)},
                   summary=_lazy("Your organisation's bids for a lot, newest first"))
    def get(self, request, lot_id: int):
        return Response(BidSerializer(bids_of_bidder(actor=self.actor, lot_id=lot_id), many=True).data)


class ReceiptKeyView(PlatformAPIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="platform_receipt_key", tags=["bids"], responses={200: ReceiptKeySerializer},
                   auth=[], summary=_lazy("The platform's public key for checking bid receipts offline"),
                   description=_lazy("Save `public_key_pem` and run `ebid verify-receipt receipt.json "
                                     "--platform-key platform.pub --envelope bid.ebid`."))
    def get(self, request):
        return Response(public_key_info())
