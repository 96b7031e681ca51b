"""Serializers for the tender API. Input serializers check types only; the rules live in bidding.services."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bidding.models import Category, Clarification, Lot, Method, Tender, TenderDocument, TenderStatus
from bidding.selectors import SORTS, tender_page

# Accepted years for a tender's dates: anything outside is a typing slip, and far-off years would
# overflow the date arithmetic of the timeline rules.
YEAR_RANGE = (2000, 2999)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time that must carry its UTC offset: a naive time is refused, not guessed."""

    default_error_messages = {
        "invalid": _("Enter an ISO 8601 date and time with its UTC offset, such as 2025-03-01T09:00:00+08:00."),
        "naive": _("This time has no UTC offset, so it is ambiguous; add one, such as +08:00 for Beijing time "
                   "(2025-03-01T09:00:00+08:00)."),
        "range": _("Enter a year between {low} and {high}."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("ISO 8601 with UTC offset, e.g. 2025-03-01T09:00:00+08:00."))
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except (ValueError, TypeError, OverflowError):
                parsed = None
            if parsed is None:
                self.fail("invalid")
        else:
            self.fail("invalid")
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.fail("naive")
        if not (YEAR_RANGE[0] <= parsed.year <= YEAR_RANGE[1]):
            self.fail("range", low=YEAR_RANGE[0], high=YEAR_RANGE[1])
        return parsed.astimezone(timezone.get_current_timezone())


def money_field(**kwargs) -> serializers.DecimalField:
    """Amounts in 元 to the 分: read as a string or a number, written as a string with two decimals."""
    kwargs.setdefault("help_text", _("Amount in 元 with at most two decimals, such as \"1250000.00\"."))
    return serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True, **kwargs)


# --- input -------------------------------------------------------------------------------------


class LotInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    budget = money_field()
    ceiling_price = money_field(help_text=_("最高投标限价, no more than the lot's budget."))
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class TenderInputSerializer(serializers.Serializer):
    """A tender and its lots, whole: POST creates it, PUT replaces a draft's content."""

    title = serializers.CharField(max_length=200, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices)
    method = serializers.ChoiceField(choices=Method.choices)
    budget = money_field()
    tenderer_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
        help_text=_("The tenderer an agency runs the tender for (required from an agency; on update the present "
                    "one is kept)."))
    agency_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
        help_text=_("The agency a tenderer entrusts the tender to (optional; agencies leave it out)."))
    agency_confirmed = serializers.BooleanField(
        required=False, default=False,
        help_text=_("true when the tenderer has seen the chosen agency's yellow card (黄牌) and still chooses it."))
    region = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    publish_at = AwareDateTimeField()
    clarification_deadline = AwareDateTimeField()
    bid_deadline = AwareDateTimeField(help_text=_("Bid deadline, which is also the opening time; ISO 8601 with UTC "
                                                  "offset."))
    evaluation_planned_at = AwareDateTimeField(required=False, allow_null=True)
    decryption_window_minutes = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Time bidders have to unseal at opening (default 30)."))
    lots = LotInputSerializer(many=True, required=False, default=list,
                              help_text=_("At least one lot (标段/包); errors name them lots.1, lots.2, …"))


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text=_("The tender documents (招标文件)."))
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ReviewInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text=_("true publishes the tender; false returns it to the agency."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="",
                                 help_text=_("Reasons; required when returning."))


class NoticeFilterSerializer(serializers.Serializer):
    """Query parameters of the public notice list."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="",
                              help_text=_("Title, reference, tenderer, agency or lot name contains this."))
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True, default="")
    method = serializers.ChoiceField(choices=Method.choices, required=False, allow_blank=True, default="")
    region = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    published_from = serializers.DateField(required=False, allow_null=True, default=None,
                                           help_text=_("Published on or after this date (YYYY-MM-DD)."))
    published_to = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text=_("Published on or before this date (YYYY-MM-DD)."))
    open_only = serializers.BooleanField(required=False, default=False,
                                         help_text=_("Only tenders still open for bids."))
    ordering = serializers.ChoiceField(choices=sorted(SORTS), required=False, default="published",
                                       help_text=_("published (newest first), deadline, -deadline, budget, "
                                                   "-budget."))

    def validate(self, attrs):
        start, end = attrs.get("published_from"), attrs.get("published_to")
        if start and end and start > end:
            raise serializers.ValidationError({"published_to": _("The end date comes before the start date.")})
        return attrs


class AgencyFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TenderStatus.choices, required=False, allow_blank=True, default="",
                                     help_text=_("Only tenders in this state."))


# --- output ------------------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LotSerializer(serializers.ModelSerializer):
    budget = money_field()
    ceiling_price = money_field()

    class Meta:
        model = Lot
        fields = ["number", "name", "budget", "ceiling_price", "description"]


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(help_text=_("Streams the file to whoever may see the tender."))

    class Meta:
        model = TenderDocument
        fields = ["id", "version", "title", "original_name", "size", "sha256", "note", "uploaded_at", "download_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document: TenderDocument) -> str:
        url = reverse("bidding:document_download", args=[document.tender_id, document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ClarificationSerializer(serializers.ModelSerializer):
    document = DocumentSerializer(allow_null=True)

    class Meta:
        model = Clarification
        fields = ["number", "title", "body", "published_at", "previous_deadline", "new_deadline", "document"]


class TimelineSerializer(serializers.Serializer):
    publish_at = serializers.DateTimeField(help_text=_("Planned publication."))
    published_at = serializers.DateTimeField(allow_null=True, help_text=_("When the notice went public."))
    clarification_deadline = serializers.DateTimeField()
    bid_deadline = serializers.DateTimeField(help_text=_("Bid deadline = opening time."))
    decryption_window_minutes = serializers.IntegerField()
    decryption_ends = serializers.DateTimeField(help_text=_("Bidders must unseal their bids by then."))
    evaluation_planned_at = serializers.DateTimeField(allow_null=True)


class TenderSummarySerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display")
    method_label = serializers.CharField(source="get_method_display")
    status_label = serializers.CharField(source="get_status_display")
    tenderer = OrganisationRefSerializer()
    agency = OrganisationRefSerializer(allow_null=True)
    budget = money_field()
    lot_count = serializers.IntegerField()

    class Meta:
        model = Tender
        fields = ["id", "reference", "title", "category", "category_label", "method", "method_label", "status",
                  "status_label", "region", "budget", "tenderer", "agency", "lot_count", "published_at",
                  "bid_deadline"]


class TenderDetailSerializer(TenderSummarySerializer):
    timeline = serializers.SerializerMethodField()
    lots = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    clarifications = serializers.SerializerMethodField()

    class Meta(TenderSummarySerializer.Meta):
        fields = [*TenderSummarySerializer.Meta.fields, "description", "timeline", "lots", "documents",
                  "clarifications"]

    def _page(self, tender: Tender) -> dict:
        """The related rows, read once per tender (the view may pass them in the context)."""
        pages = self.context.setdefault("pages", {})
        if tender.pk not in pages:
            pages[tender.pk] = tender_page(tender)
        return pages[tender.pk]

    @extend_schema_field(TimelineSerializer)
    def get_timeline(self, tender: Tender) -> dict:
        return TimelineSerializer({
            "publish_at": tender.publish_at, "published_at": tender.published_at,
            "clarification_deadline": tender.clarification_deadline, "bid_deadline": tender.bid_deadline,
            "decryption_window_minutes": tender.decryption_window_minutes,
            "decryption_ends": tender.bid_deadline + timedelta(minutes=tender.decryption_window_minutes),
            "evaluation_planned_at": tender.evaluation_planned_at,
        }).data

    @extend_schema_field(LotSerializer(many=True))
    def get_lots(self, tender: Tender) -> list:
        return LotSerializer(self._page(tender)["lots"], many=True).data

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, tender: Tender) -> list:
        return DocumentSerializer(self._page(tender)["documents"], many=True, context=self.context).data

    @extend_schema_field(ClarificationSerializer(many=True))
    def get_clarifications(self, tender: Tender) -> list:
        return ClarificationSerializer(self._page(tender)["clarifications"], many=True, context=self.context).data


class AgencyTenderSerializer(TenderDetailSerializer):
    """What the organisation running a tender sees: the public detail plus its filing state."""

    class Meta(TenderDetailSerializer.Meta):
        fields = [*TenderDetailSerializer.Meta.fields, "review_note", "submitted_at", "created_at", "updated_at"]


class AgencyTenderSummarySerializer(TenderSummarySerializer):
    class Meta(TenderSummarySerializer.Meta):
        fields = [*TenderSummarySerializer.Meta.fields, "publish_at", "submitted_at", "updated_at"]
