"""Ledger links and action names for evaluation's subjects (called from EvaluationConfig.ready())."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.actor import Actor
from witness import links


def _committee_url(event, actor: Actor) -> str | None:
    from evaluation.models import Committee

    committee = Committee.objects.filter(pk=event.subject_id).select_related("lot").first()
    if committee is None:
        return None
    return reverse("evaluation:progress", args=[committee.lot_id])


ACTION_LABELS = {
    "evaluation.scheme_set": _("Evaluation scheme set"),
    "evaluation.committee_formed": _("Evaluation committee formed"),
    "evaluation.leader_vote": _("Vote for the committee leader"),
    "evaluation.leader_elected": _("Committee leader elected"),
    "evaluation.bid_file_read": _("Bid file read by an evaluator"),
    "evaluation.sheet_submitted": _("Evaluation sheet submitted"),
    "evaluation.review_closed": _("Compliance review concluded"),
    "evaluation.question_asked": _("Clarification asked of a bidder"),
    "evaluation.question_answered": _("Clarification answered"),
    "evaluation.summarised": _("Scores summarised and bids ranked"),
    "evaluation.flag_decided": _("Committee decision recorded"),
    "evaluation.score_corrected": _("Score corrected by the committee"),
    "evaluation.failed": _("Evaluation failed"),
    "evaluation.report_generated": _("Evaluation report generated"),
    "evaluation.report_signed": _("Evaluation report signed by a member"),
    "evaluation.report_completed": _("Evaluation report signed by every member"),
    "evaluation.publicity_started": _("Candidates published"),
    "evaluation.objection_raised": _("Objection to the candidates"),
    "evaluation.objection_answered": _("Objection answered"),
    "evaluation.awarded": _("Winner confirmed"),
    "evaluation.award_notice_published": _("Award notice published"),
}


def register() -> None:
    links.register("evaluation.committee", _committee_url, label=_("Evaluation committee"))
    links.register_actions(ACTION_LABELS)
