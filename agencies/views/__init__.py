from agencies.views.findings import (
    appeal_decide_view,
    evidence_download,
    finding_appeal_view,
    finding_create,
    finding_decide_view,
    finding_detail,
    finding_list,
    finding_respond_view,
)
from agencies.views.manage import agency_manage, own_profile
from agencies.views.public import agency_detail, agency_list, notice_download
from agencies.views.stats import statistics

__all__ = [
    "agency_list", "agency_detail", "notice_download", "agency_manage", "own_profile", "finding_list",
    "finding_create", "finding_detail", "finding_respond_view", "finding_decide_view", "finding_appeal_view",
    "appeal_decide_view", "evidence_download", "statistics",
]
