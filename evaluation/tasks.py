"""Background jobs for the evaluation and the award. Each runs after the commit that asks for it, by id, and
is idempotent (a repeat finds its work done)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def award_notice_render(award_id: int) -> str:
    """Render, sign and store the award notice, record it, and tell every bidder of the lot its result."""
    from evaluation.services.award_notice import award_notice_publish

    award = award_notice_publish(award_id)
    return award.notice_sha256 if award is not None else ""


@shared_task
def report_copy_render(report_id: int) -> str:
    """Render and sign the tenderer's nameless copy of a completed evaluation report."""
    from evaluation.services.reports import report_copy_publish

    report = report_copy_publish(report_id)
    return report.copy_sha256 if report is not None else ""


@shared_task
def gp_awards_advance() -> int:
    """Government procurement: deem the first-ranked candidate chosen where the purchaser's period is over."""
    from evaluation.services.award import gp_awards_advance as advance

    return advance()
