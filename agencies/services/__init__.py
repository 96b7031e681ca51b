from agencies.services.directory import (
    CertificateInput,
    ProfileInput,
    certificate_add,
    profile_save,
    qualification_add,
    staff_add,
    staff_leave,
)
from agencies.services.findings import (
    FindingInput,
    appeal_decide,
    finding_appeal,
    finding_decide,
    finding_record,
    finding_respond,
    findings_advance_overdue,
)
from agencies.services.notices import card_notice_render
from agencies.services.scores import scores_recalculate

__all__ = [
    "CertificateInput", "ProfileInput", "certificate_add", "profile_save", "qualification_add", "staff_add",
    "staff_leave", "FindingInput", "appeal_decide", "finding_appeal", "finding_decide", "finding_record",
    "finding_respond", "findings_advance_overdue", "card_notice_render", "scores_recalculate",
]
