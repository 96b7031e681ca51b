from bidding.services.documents import clarification_publish, tender_document_upload
from bidding.services.tenders import (
    LotInput,
    TenderInput,
    tender_cancel,
    tender_create,
    tender_review,
    tender_submit,
    tender_update,
)

__all__ = [
    "LotInput", "TenderInput", "tender_create", "tender_update", "tender_submit", "tender_review", "tender_cancel",
    "tender_document_upload", "clarification_publish",
]
