"""The agency's tender endpoints and the trading centre's filing review.

Explicit actions, not generic CRUD: each parses its input for types, fetches the tender
through the selector that authorises, and hands the rules to bidding.services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import ACTING_PARAMETER, PlatformAPIView, error_responses, parsed
from bidding.api.serializers import (
    AgencyFilterSerializer,
    AgencyTenderSerializer,
    AgencyTenderSummarySerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    ReviewInputSerializer,
    TenderInputSerializer,
)
from bidding.lifecycle import allowed_targets
from bidding.models import Tender
from bidding.models import TenderStatus as S
from bidding.permissions import is_operator, is_party
from bidding.selectors import tender_for_actor, tenders_for_organisation
from bidding.services import (
    LotInput,
    TenderInput,
    tender_create,
    tender_document_upload,
    tender_review,
    tender_submit,
    tender_update,
)
from core.actor import Actor
from core.errors import IllegalTransition, PermissionDenied

RUNNER_ROLES = ("agency", "tenderer")


def _require_runner(actor: Actor) -> None:
    """Agency endpoints are for agencies and tenderers that run their own tenders; others get 403."""
    if actor.role not in RUNNER_ROLES:
        raise PermissionDenied(_("Only an agency or a tenderer can use the agency endpoints; you act as %(role)s.")
                               % {"role": actor.role})


def _require_centre(actor: Actor) -> None:
    if actor.role != "centre":
        raise PermissionDenied(_("Only the trading centre reviews filings; you act as %(role)s.")
                               % {"role": actor.role})


def _operated(actor: Actor, pk: int) -> Tender:
    """A tender the actor's organisation runs: 404 when it may not see it, 403 when it sees but does not run it."""
    tender = tender_for_actor(actor=actor, tender_id=pk)
    if not is_operator(actor, tender):
        raise PermissionDenied(_("Tender “%(title)s” is run by another organisation.") % {"title": tender.title})
    return tender


def _tender_input(data: dict) -> TenderInput:
    return TenderInput(
        title=data["title"], category=data["category"], method=data["method"], budget=data["budget"],
        publish_at=data["publish_at"], clarification_deadline=data["clarification_deadline"],
        bid_deadline=data["bid_deadline"], evaluation_planned_at=data.get("evaluation_planned_at"),
        decryption_window_minutes=data.get("decryption_window_minutes"),
        tenderer_id=data.get("tenderer_id"), agency_id=data.get("agency_id"),
        agency_confirmed=data.get("agency_confirmed", False),
        region=data.get("region", ""), description=data.get("description", ""),
        lots=[LotInput(name=lot["name"], budget=lot["budget"], ceiling_price=lot["ceiling_price"],
                       description=lot.get("description", "")) for lot in data.get("lots", [])],
    )


class TenderRepresentationMixin:
    def represent(self, tender: Tender, *, status_code: int = status.HTTP_200_OK) -> Response:
        """The tender as the organisation running it sees it, read again with the list annotations."""
        fresh = tender_for_actor(actor=self.actor, tender_id=tender.pk)
        return Response(AgencyTenderSerializer(fresh, context={"request": self.request}).data, status=status_code)


class AgencyTenderListView(TenderRepresentationMixin, PlatformAPIView, GenericAPIView):
    """The tenders your organisation runs or owns (any state), and creating new ones."""

    permission_classes = [IsAuthenticated]
    serializer_class = AgencyTenderSummarySerializer

    @extend_schema(operation_id="agency_tenders_list", tags=["agency"],
                   parameters=[AgencyFilterSerializer, ACTING_PARAMETER],
                   responses={200: AgencyTenderSummarySerializer(many=True), **error_responses(400, 401, 403, 404)},
                   summary=_lazy("Your organisation's tenders, in any state"))
    def get(self, request):
        _require_runner(self.actor)
        params = parsed(AgencyFilterSerializer, request.query_params)
        tenders = tenders_for_organisation(self.actor)
        if params["status"]:
            tenders = tenders.filter(status=params["status"])
        page = self.paginate_queryset(tenders)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(operation_id="agency_tenders_create", tags=["agency"], parameters=[ACTING_PARAMETER],
                   request=TenderInputSerializer,
                   responses={201: AgencyTenderSerializer, **error_responses(400, 401, 403)},
                   summary=_lazy("Create a draft tender with its lots"),
                   description=_lazy("Checks every rule at once (budgets, ceiling prices, the minimum bid period "
                                     "of the method, …); on any problem answers 400 naming each field and creates "
                                     "nothing."))
    def post(self, request):
        _require_runner(self.actor)
        data = parsed(TenderInputSerializer, request.data)
        tender = tender_create(actor=self.actor, data=_tender_input(data))
        return self.represent(tender, status_code=status.HTTP_201_CREATED)


class AgencyTenderDetailView(TenderRepresentationMixin, PlatformAPIView):
    """One of your tenders as the organisation running it sees it; PUT replaces a draft's content."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="agency_tenders_retrieve", tags=["agency"], parameters=[ACTING_PARAMETER],
                   responses={200: AgencyTenderSerializer, **error_responses(401, 403, 404)},
                   summary=_lazy("One of your tenders, with its filing state"))
    def get(self, request, pk: int):
        _require_runner(self.actor)
        tender = tender_for_actor(actor=self.actor, tender_id=pk)
        if not is_party(self.actor, tender):
            raise PermissionDenied(_("Tender “%(title)s” belongs to another organisation.") % {"title": tender.title})
        return self.represent(tender)

    @extend_schema(operation_id="agency_tenders_update", tags=["agency"], parameters=[ACTING_PARAMETER],
                   request=TenderInputSerializer,
                   responses={200: AgencyTenderSerializer, **error_responses(400, 401, 403, 404, 409)},
                   summary=_lazy("Replace a draft or returned tender's content and lots"),
                   description=_lazy("Only while the tender is a draft or was returned by the centre (else 409)."))
    def put(self, request, pk: int):
        _require_runner(self.actor)
        tender = _operated(self.actor, pk)
        data = parsed(TenderInputSerializer, request.data)
        tender = tender_update(actor=self.actor, tender=tender, data=_tender_input(data))
        return self.represent(tender)


class AgencyDocumentUploadView(PlatformAPIView):
    """Tender documents (招标文件): each upload is a new version with its SHA-256 recorded in the ledger."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="agency_tenders_documents_create", tags=["agency"], parameters=[ACTING_PARAMETER],
                   request={"multipart/form-data": DocumentUploadSerializer},
                   responses={201: DocumentSerializer, **error_responses(400, 401, 403, 404, 409)},
                   summary=_lazy("Upload a new version of the tender documents"),
                   description=_lazy("Multipart upload while the tender is a draft or returned; the answer gives the "
                                     "file's SHA-256 and size as stored."))
    def post(self, request, pk: int):
        _require_runner(self.actor)
        tender = _operated(self.actor, pk)
        data = parsed(DocumentUploadSerializer, request.data)
        document = tender_document_upload(actor=self.actor, tender=tender, upload=data["file"],
                                          title=data["title"], note=data["note"])
        return Response(DocumentSerializer(document, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class AgencyTenderSubmitView(TenderRepresentationMixin, PlatformAPIView):
    """Filing (审核备案): the tender goes to the trading centre's review queue."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="agency_tenders_submit", tags=["agency"], parameters=[ACTING_PARAMETER],
                   request=None, responses={200: AgencyTenderSerializer, **error_responses(400, 401, 403, 404, 409)},
                   summary=_lazy("File the tender with the trading centre for review"),
                   description=_lazy("Refused with 400 naming `documents` when no tender documents were uploaded, and "
                                     "naming the dates when the timeline no longer holds."))
    def post(self, request, pk: int):
        _require_runner(self.actor)
        tender = _operated(self.actor, pk)
        if S.SUBMITTED not in allowed_targets(tender.status):
            raise IllegalTransition(_("Tender “%(title)s” is %(status)s; only a draft or a returned tender can be "
                                      "submitted for filing.") % {"title": tender.title,
                                                                  "status": tender.get_status_display()})
        tender = tender_submit(actor=self.actor, tender=tender)
        return self.represent(tender)


class CentreReviewView(TenderRepresentationMixin, PlatformAPIView):
    """The trading centre's filing review: publish the tender or return it with reasons."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="centre_tenders_review", tags=["centre"], parameters=[ACTING_PARAMETER],
                   request=ReviewInputSerializer,
                   responses={200: AgencyTenderSerializer, **error_responses(400, 401, 403, 404, 409)},
                   summary=_lazy("Approve (publish) or return a filed tender"),
                   description=_lazy("`approve: true` publishes the tender at its planned time (or now, if later); "
                                     "`approve: false` returns it to the agency and needs a `note` with the reasons."))
    def post(self, request, pk: int):
        _require_centre(self.actor)
        tender = tender_for_actor(actor=self.actor, tender_id=pk)
        data = parsed(ReviewInputSerializer, request.data)
        if tender.status != S.SUBMITTED:
            raise IllegalTransition(_("Tender “%(title)s” is %(status)s; only a tender awaiting filing review can be "
                                      "reviewed.") % {"title": tender.title, "status": tender.get_status_display()})
        tender = tender_review(actor=self.actor, tender=tender, approve=data["approve"], note=data["note"])
        return self.represent(tender)
