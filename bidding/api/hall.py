"""The opening hall over the API: its state, and each act (start decryption, release a data key, submit a
backup, confirm or object, answer an objection, record a platform fault). The browser hall page and `ebid`
users call the same endpoints; every rule is in bidding.services.opening."""

from __future__ import annotations

import base64
import binascii
import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.api import ACTING_PARAMETER, PlatformAPIView, error_responses, parsed
from bidding.hall import hall_state
from bidding.services import opening as svc
from core.errors import DomainError


class KeySerializer(serializers.Serializer):
    data_key = serializers.CharField(max_length=200, help_text=_lazy("The 32-byte data key in base64."))


class RespondSerializer(serializers.Serializer):
    objection = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="",
                                      help_text=_lazy("Empty to confirm the readout; text to object."))


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class HallStateView(PlatformAPIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="hall_state", tags=["opening"], parameters=[ACTING_PARAMETER],
                   responses={200: OpenApiTypes.OBJECT, **error_responses(404, 409)},
                   summary=_lazy("The opening hall of a lot: bids listed, decryption, readout, objections"))
    def get(self, request, lot_id: int):
        return Response(hall_state(svc.opening_for(actor=self.actor, lot_id=lot_id)))


class StartDecryptionView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="hall_start_decryption", tags=["opening"], parameters=[ACTING_PARAMETER],
                   request=None, responses={200: OpenApiTypes.OBJECT, **error_responses(401, 403, 404, 409)},
                   summary=_lazy("Host: start the decryption window"))
    def post(self, request, lot_id: int):
        return Response(hall_state(svc.decryption_start(actor=self.actor, lot_id=lot_id)))


class EnvelopeHeaderView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="hall_envelope_header", tags=["opening"], parameters=[ACTING_PARAMETER],
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                              **error_responses(401, 403, 404, 409)},
                   summary=_lazy("Bidder: the header of your listed envelope, to unwrap its data key"))
    def get(self, request, lot_id: int):
        opening = svc.opening_for(actor=self.actor, lot_id=lot_id, action=svc.HallAction.RELEASE)
        opened = opening.bids.get(bid__bidder_id=self.actor.organisation_id)
        data = svc.envelope_header_bytes(actor=self.actor, bid_id=opened.bid_id)
        return HttpResponse(data, content_type="application/octet-stream")


class ReleaseKeyView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="hall_release_key", tags=["opening"], parameters=[ACTING_PARAMETER],
                   request=KeySerializer, responses={200: OpenApiTypes.OBJECT, **error_responses(400, 401, 403, 404,
                                                                                                    409)},
                   summary=_lazy("Bidder: release your bid's data key (checked against the sealed summary)"))
    def post(self, request, lot_id: int):
        text = parsed(KeySerializer, request.data)["data_key"].strip()
        try:
            key = base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error):
            raise DomainError(_("The data key must be base64 (as `ebid data-key` prints it)."), field="data_key") from None
        opened = svc.key_release(actor=self.actor, lot_id=lot_id, data_key=key)
        return Response(hall_state(opened.opening))


class BackupView(PlatformAPIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="hall_backup", tags=["opening"], parameters=[ACTING_PARAMETER],
                   request={"multipart/form-data": {"type": "object", "properties": {
                       "salts": {"type": "string", "format": "binary"},
                       "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
                   responses={200: OpenApiTypes.OBJECT, **error_responses(400, 401, 403, 404, 409)},
                   summary=_lazy("Bidder: open your bid from its plaintext backup and salts (key lost)"))
    def post(self, request, lot_id: int):
        salts_file = request.FILES.get("salts")
        if salts_file is None:
            raise DomainError(_("Attach the .salts file that was saved when the bid was sealed."), field="salts")
        try:
            salts = json.loads(salts_file.read(1 << 20).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise DomainError(_("The .salts file is not valid JSON."), field="salts") from None
        if not isinstance(salts, dict):
            raise DomainError(_("The .salts file is not valid JSON."), field="salts")
        parts: dict = {}
        for handle in request.FILES.getlist("files"):
            if handle.name in parts:
                raise DomainError(_("Two files are named “%(name)s”; send each sealed file once.")
                                  % {"name": handle.name}, field="files")
            parts[handle.name] = handle
        opened = svc.backup_submit(actor=self.actor, lot_id=lot_id, salts=salts, parts=parts)
        return Response(hall_state(opened.opening))


class RespondView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="hall_respond", tags=["opening"], parameters=[ACTING_PARAMETER],
                   request=RespondSerializer, responses={200: OpenApiTypes.OBJECT,
                                                         **error_responses(400, 401, 403, 404, 409)},
                   summary=_lazy("Bidder: confirm the readout, or object to it"))
    def post(self, request, lot_id: int):
        data = parsed(RespondSerializer, request.data)
        opened = svc.readout_respond(actor=self.actor, lot_id=lot_id, objection=data["objection"])
        return Response(hall_state(opened.opening))


class AnswerView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="hall_answer_objection", tags=["opening"], parameters=[ACTING_PARAMETER],
                   request=AnswerSerializer, responses={200: OpenApiTypes.OBJECT,
                                                        **error_responses(400, 401, 403, 404, 409)},
                   summary=_lazy("Host: answer an objection"))
    def post(self, request, pk: int):
        data = parsed(AnswerSerializer, request.data)
        objection = svc.objection_answer(actor=self.actor, objection_id=pk, answer=data["answer"])
        objection.opening.refresh_from_db()
        return Response(hall_state(objection.opening))


class FailureCauseView(PlatformAPIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="hall_failure_cause", tags=["opening"], parameters=[ACTING_PARAMETER],
                   request=ReasonSerializer, responses={200: OpenApiTypes.OBJECT,
                                                        **error_responses(400, 401, 403, 404, 409)},
                   summary=_lazy("Trading centre: record that a bid failed to decrypt through the platform's fault"))
    def post(self, request, bid_id: int):
        data = parsed(ReasonSerializer, request.data)
        opened = svc.failure_reclassify(actor=self.actor, bid_id=bid_id, reason=data["reason"])
        return Response(hall_state(opened.opening))
