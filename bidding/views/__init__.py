from bidding.views.actions import (
    tender_cancel_view,
    tender_clarify,
    tender_review_view,
    tender_submit_view,
    tender_upload,
)
from bidding.views.manage import filing_queue, tender_create_view, tender_edit_view, tender_mine
from bidding.views.public import document_download, notice_list, tender_detail

__all__ = [
    "notice_list", "tender_detail", "document_download", "tender_create_view", "tender_edit_view", "tender_mine",
    "filing_queue", "tender_upload", "tender_submit_view", "tender_review_view", "tender_clarify",
    "tender_cancel_view",
]
