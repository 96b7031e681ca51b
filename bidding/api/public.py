"""Endpoints anyone may call: the published notices and a tender's public detail."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.api import ACTING_PARAMETER, PlatformAPIView, error_responses, parsed
from bidding.api.serializers import NoticeFilterSerializer, TenderDetailSerializer, TenderSummarySerializer
from bidding.selectors import NoticeFilter, tender_for_actor, tender_page, tenders_public_search


class TenderListView(PlatformAPIView, GenericAPIView):
    """Published tender notices (公告), searchable and paginated."""

    permission_classes = [AllowAny]
    serializer_class = TenderSummarySerializer

    @extend_schema(operation_id="tenders_list", tags=["tenders"], parameters=[NoticeFilterSerializer],
                   responses={200: TenderSummarySerializer(many=True), **error_responses(400, 404)},
                   summary=_lazy("Published tender notices"),
                   description=_lazy("Tenders whose notice is public, newest first unless `ordering` says otherwise. "
                                     "Paginated with `page`."))
    def get(self, request):
        params = parsed(NoticeFilterSerializer, request.query_params)
        notices = tenders_public_search(NoticeFilter(
            q=params["q"].strip(), category=params["category"], method=params["method"],
            region=params["region"].strip(), date_from=params["published_from"], date_to=params["published_to"],
            open_only=params["open_only"], sort=params["ordering"],
        ))
        page = self.paginate_queryset(notices)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class TenderDetailView(PlatformAPIView):
    """One tender's notice: lots, timeline, documents (with SHA-256 and a download link), clarifications."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="tenders_retrieve", tags=["tenders"], parameters=[ACTING_PARAMETER],
                   responses={200: TenderDetailSerializer, **error_responses(403, 404)},
                   summary=_lazy("A tender: lots, timeline, documents, clarifications"),
                   description=_lazy("Public once the notice is published; before that only the tenderer, its agency, "
                                     "the trading centre (after filing) and the regulator see it. Others get 404."))
    def get(self, request, pk: int):
        tender = tender_for_actor(actor=self.actor, tender_id=pk)
        context = {"request": request, "pages": {tender.pk: tender_page(tender)}}
        return Response(TenderDetailSerializer(tender, context=context).data)
