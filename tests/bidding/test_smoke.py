from bidding.models import TenderStatus
from bidding.services import tender_review, tender_submit
from witness.verify import chain_verify


def test_agency_files_and_centre_publishes(draft_tender, agency, centre):
    tender = tender_submit(actor=agency, tender=draft_tender)
    assert tender.status == TenderStatus.SUBMITTED
    tender = tender_review(actor=centre, tender=tender, approve=True)
    assert tender.status == TenderStatus.PUBLISHED
    assert chain_verify().ok
