"""The JSON API, mounted at /api/: schema and docs (self-hosted assets), tokens, tenders."""

import json

from django.urls import path
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.api import TokenView
from agencies.api import AgencyDetailView, AgencyListView
from bidding.api.agency import (
    AgencyDocumentUploadView,
    AgencyTenderDetailView,
    AgencyTenderListView,
    AgencyTenderSubmitView,
    CentreReviewView,
)
from bidding.api.bids import (
    BidWithdrawView,
    MyBidsView,
    ReceiptKeyView,
    UploadChunkView,
    UploadDetailView,
    UploadFinishView,
    UploadStartView,
)
from bidding.api.hall import (
    AnswerView,
    BackupView,
    EnvelopeHeaderView,
    FailureCauseView,
    HallStateView,
    ReleaseKeyView,
    RespondView,
    StartDecryptionView,
)
from bidding.api.public import TenderDetailView, TenderListView
from evaluation import api as evaluation_api

app_name = "api"


class SwaggerView(SpectacularSwaggerView):
    """Swagger UI from the sidecar's static files, without the online validator badge (an external request)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["settings"] = json.dumps({**spectacular_settings.SWAGGER_UI_SETTINGS, "validatorUrl": None})
        return response


class RedocView(SpectacularRedocView):
    """ReDoc from the sidecar's static files, without drf-spectacular's web-font links."""

    template_name = "api/redoc.html"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", RedocView.as_view(url_name="api:schema"), name="redoc"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("tenders/", TenderListView.as_view(), name="tender_list"),
    path("tenders/<int:pk>/", TenderDetailView.as_view(), name="tender_detail"),
    path("agency/tenders/", AgencyTenderListView.as_view(), name="agency_tender_list"),
    path("agency/tenders/<int:pk>/", AgencyTenderDetailView.as_view(), name="agency_tender_detail"),
    path("agency/tenders/<int:pk>/documents/", AgencyDocumentUploadView.as_view(), name="agency_tender_documents"),
    path("agency/tenders/<int:pk>/submit/", AgencyTenderSubmitView.as_view(), name="agency_tender_submit"),
    path("centre/tenders/<int:pk>/review/", CentreReviewView.as_view(), name="centre_tender_review"),
    path("bids/uploads/", UploadStartView.as_view(), name="bid_upload_start"),
    path("bids/uploads/<int:pk>/", UploadDetailView.as_view(), name="bid_upload_detail"),
    path("bids/uploads/<int:pk>/chunk/", UploadChunkView.as_view(), name="bid_upload_chunk"),
    path("bids/uploads/<int:pk>/finish/", UploadFinishView.as_view(), name="bid_upload_finish"),
    path("bids/<int:pk>/withdraw/", BidWithdrawView.as_view(), name="bid_withdraw"),
    path("lots/<int:lot_id>/my-bids/", MyBidsView.as_view(), name="lot_my_bids"),
    path("lots/<int:lot_id>/hall/", HallStateView.as_view(), name="hall_state"),
    path("evaluation/lots/<int:lot_id>/", evaluation_api.ProgressView.as_view(), name="evaluation_progress"),
    path("evaluation/lots/<int:lot_id>/vote/", evaluation_api.VoteView.as_view(), name="evaluation_vote"),
    path("evaluation/lots/<int:lot_id>/marks/", evaluation_api.MarkView.as_view(), name="evaluation_mark"),
    path("evaluation/lots/<int:lot_id>/scores/", evaluation_api.ScoreView.as_view(), name="evaluation_score"),
    path("evaluation/lots/<int:lot_id>/submit/", evaluation_api.SubmitView.as_view(), name="evaluation_submit"),
    path("evaluation/lots/<int:lot_id>/questions/", evaluation_api.QuestionView.as_view(), name="evaluation_question"),
    path("evaluation/questions/<int:pk>/answer/", evaluation_api.QuestionAnswerView.as_view(),
         name="evaluation_question_answer"),
    path("evaluation/lots/<int:lot_id>/flags/<int:pk>/decide/", evaluation_api.FlagDecisionView.as_view(),
         name="evaluation_flag_decide"),
    path("evaluation/lots/<int:lot_id>/scores/<int:pk>/correct/", evaluation_api.CorrectionView.as_view(),
         name="evaluation_correct"),
    path("lots/<int:lot_id>/hall/start-decryption/", StartDecryptionView.as_view(), name="hall_start_decryption"),
    path("lots/<int:lot_id>/hall/envelope-header/", EnvelopeHeaderView.as_view(), name="hall_envelope_header"),
    path("lots/<int:lot_id>/hall/release-key/", ReleaseKeyView.as_view(), name="hall_release_key"),
    path("lots/<int:lot_id>/hall/backup/", BackupView.as_view(), name="hall_backup"),
    path("lots/<int:lot_id>/hall/respond/", RespondView.as_view(), name="hall_respond"),
    path("hall/objections/<int:pk>/answer/", AnswerView.as_view(), name="hall_answer_objection"),
    path("bids/<int:bid_id>/failure-cause/", FailureCauseView.as_view(), name="hall_failure_cause"),
    path("platform/receipt-key/", ReceiptKeyView.as_view(), name="platform_receipt_key"),
    path("agencies/", AgencyListView.as_view(), name="agency_list"),
    path("agencies/<int:pk>/", AgencyDetailView.as_view(), name="agency_detail"),
]
