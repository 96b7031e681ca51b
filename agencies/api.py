"""The public directory as JSON: GET /api/agencies/ and /api/agencies/{id}/ with cards in force and score."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.api import PlatformAPIView, error_responses, parsed
from agencies.models import Colour, ServiceKind
from agencies.rules import violation_label
from agencies.selectors import SORTS, agency_for_page, agency_page, directory


class DirectoryFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="",
                              help_text=_("Name, credit code or staff name contains this."))
    service = serializers.ChoiceField(choices=ServiceKind.choices, required=False, allow_blank=True, default="")
    colour = serializers.ChoiceField(choices=Colour.choices, required=False, allow_blank=True, default="",
                                     help_text=_("Only intermediaries with a card of this colour in force."))
    ordering = serializers.ChoiceField(choices=sorted(SORTS), required=False, default="-score")


class CardSerializer(serializers.Serializer):
    colour = serializers.CharField()
    colour_label = serializers.CharField(source="get_colour_display")
    violation_type = serializers.CharField()
    violation_label = serializers.SerializerMethodField()
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(help_text=_("The card is in force until this day (exclusive)."))
    deduction = serializers.IntegerField()
    notice_number = serializers.CharField(allow_null=True)

    def get_violation_label(self, card) -> str:
        return violation_label(card.violation_type)


class AgencySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    service_kinds = serializers.SerializerMethodField()
    registered_capital = serializers.SerializerMethodField()
    staff_count = serializers.IntegerField()
    tender_count = serializers.IntegerField(help_text=_("Tenders it ran on the platform (drafts excluded)."))
    score = serializers.IntegerField(help_text=_("Out of 100, as of today."))
    cards = CardSerializer(many=True, source="cards_now", help_text=_("Cards in force today."))

    def _profile(self, org):
        return getattr(org, "agency_profile", None)

    def get_service_kinds(self, org) -> list[str]:
        profile = self._profile(org)
        return list(profile.service_kinds) if profile else []

    def get_registered_capital(self, org) -> str | None:
        profile = self._profile(org)
        return f"{profile.registered_capital:.2f}" if profile and profile.registered_capital is not None else None


class StaffSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    title = serializers.CharField()
    certificates = serializers.SerializerMethodField()

    def get_certificates(self, staff) -> list[dict]:
        shared = self.context.get("shared", set())
        return [{"name": c.name, "number": c.number, "expires_on": c.expires_on, "shared": c.number in shared}
                for c in staff.certificates.all()]


class AgencyDetailSerializer(AgencySummarySerializer):
    staff = serializers.SerializerMethodField()
    qualifications = serializers.SerializerMethodField()
    outcomes = serializers.DictField(child=serializers.IntegerField(),
                                     help_text=_("tenders, returned (filings), failed (openings), complaints (upheld)"))

    def get_staff(self, org) -> list[dict]:
        return StaffSerializer(self.context["page"]["staff"], many=True,
                               context={"shared": self.context["page"]["shared_numbers"]}).data

    def get_qualifications(self, org) -> list[dict]:
        return [{"name": q.name, "grade": q.grade, "number": q.number, "expires_on": q.expires_on}
                for q in self.context["page"]["qualifications"]]


class AgencyListView(PlatformAPIView, GenericAPIView):
    """The intermediary directory (中介机构名录库), public."""

    permission_classes = [AllowAny]
    serializer_class = AgencySummarySerializer

    @extend_schema(operation_id="agencies_list", tags=["agencies"], parameters=[DirectoryFilterSerializer],
                   responses={200: AgencySummarySerializer(many=True), **error_responses(400)},
                   summary=_("The intermediary directory with cards in force and scores"))
    def get(self, request):
        params = parsed(DirectoryFilterSerializer, request.query_params)
        rows = directory(q=params["q"].strip(), service=params["service"], colour=params["colour"],
                         sort=params["ordering"])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class AgencyDetailView(PlatformAPIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="agencies_retrieve", tags=["agencies"],
                   responses={200: AgencyDetailSerializer, **error_responses(404)},
                   summary=_("One intermediary: profile, staff, qualifications, cards in force, score, outcomes"))
    def get(self, request, pk: int):
        agency_for_page(pk)
        row = directory().get(pk=pk)
        page = agency_page(row, self.actor)
        row.outcomes = page["outcomes"]
        return Response(AgencyDetailSerializer(row, context={"request": request, "page": page}).data)
