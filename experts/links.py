"""Tell the witness ledger where experts' subjects live and how to name their actions (ExpertsConfig.ready)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from witness import links


def _draw_url(event, actor):
    return reverse("experts:draw_detail", args=[event.subject_id])


def _pool_url(event, actor):
    return reverse("experts:application_queue") if actor.role == "centre" else None


def register_ledger_links() -> None:
    links.register("experts.draw", _draw_url, label=_("Expert draw"))
    links.register("experts.selection", lambda event, actor: None, label=_("Expert invitation"))
    links.register("experts.expert", lambda event, actor: None, label=_("Expert"))
    links.register("experts.expertapplication", _pool_url, label=_("Expert application"))
    links.register("experts.specialty", lambda e, a: reverse("experts:specialties"), label=_("Specialty"))
    links.register("experts.rating", lambda event, actor: None, label=_("Expert rating"))
    links.register_actions(ACTION_LABELS)


ACTION_LABELS = {
    "draw.requested": _("Expert draw requested"),
    "draw.committed": _("Draw inputs committed (seed, eligible set, rules)"),
    "draw.drawn": _("Experts drawn"),
    "draw.selected": _("Drawn experts recorded"),
    "draw.notified": _("Drawn experts notified"),
    "draw.complete": _("Committee complete"),
    "draw.reopened": _("Committee reopened for a replacement"),
    "draw.stopped": _("Draw stopped"),
    "draw.replacement": _("Replacement drawn"),
    "draw.seed_revealed": _("Draw seed revealed"),
    "expert.applied": _("Expert application filed"),
    "expert.application_approved": _("Expert application approved"),
    "expert.application_rejected": _("Expert application rejected"),
    "expert.imported": _("Experts imported"),
    "expert.confirmed": _("Expert confirmed"),
    "expert.declined": _("Expert declined"),
    "expert.timed_out": _("Expert did not answer in time"),
    "expert.conflict_declared": _("Expert declared a conflict"),
    "expert.no_conflict": _("Expert declared no conflict"),
    "expert.replacement_selected": _("Replacement expert selected"),
    "expert.rated": _("Expert rated"),
    "expert.flags_changed": _("Expert's senior / review flags changed"),
    "expert.relationship_declared": _("Expert relationship declared"),
    "expert.relationship_withdrawn": _("Expert relationship withdrawn"),
    "expert.penalty_recorded": _("Expert penalty recorded"),
    "expert.leave_recorded": _("Expert leave recorded"),
    "expert.status_changed": _("Expert status changed"),
    "specialty.created": _("Specialty added"),
}
