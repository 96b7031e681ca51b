from django.urls import path

from bidding import views
from bidding.views.bids import bid_submit_page
from bidding.views.hall import hall_page, opening_record
from bidding.views.receipts import receipt_key_pem

app_name = "bidding"

urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("new/", views.tender_create_view, name="tender_create"),
    path("receipt-key.pem", receipt_key_pem, name="receipt_key_pem"),
    path("mine/", views.tender_mine, name="tender_mine"),
    path("filings/", views.filing_queue, name="filing_queue"),
    path("<int:pk>/", views.tender_detail, name="tender_detail"),
    path("<int:pk>/edit/", views.tender_edit_view, name="tender_edit"),
    path("<int:pk>/documents/", views.tender_upload, name="tender_upload"),
    path("<int:pk>/documents/<int:document_id>/download/", views.document_download, name="document_download"),
    path("<int:pk>/submit/", views.tender_submit_view, name="tender_submit"),
    path("<int:pk>/review/", views.tender_review_view, name="tender_review"),
    path("<int:pk>/clarifications/", views.tender_clarify, name="tender_clarify"),
    path("<int:pk>/lots/<int:lot_id>/bid/", bid_submit_page, name="bid_submit"),
    path("<int:pk>/lots/<int:lot_id>/hall/", hall_page, name="hall"),
    path("<int:pk>/lots/<int:lot_id>/opening-record.pdf", opening_record, name="opening_record"),
    path("<int:pk>/cancel/", views.tender_cancel_view, name="tender_cancel"),
]
