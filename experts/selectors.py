"""Reads: fetch-and-authorise for draws and invitations, counts for the confidential view, queues."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.actor import Actor
from core.errors import NotFound, PermissionDenied
from experts.models import Draw, Expert, ExpertApplication, Message, Selection, SelectionState, Specialty
from experts.permissions import DrawAction, draw_can


def draw_for_actor(*, actor: Actor, draw_id: int, action: DrawAction = DrawAction.VIEW) -> Draw:
    draw = Draw.objects.select_related("tender", "lot", "requested_by").filter(pk=draw_id).first()
    if draw is None or not draw_can(actor, draw, DrawAction.VIEW):
        raise NotFound(_("No such draw, or you may not see it."))
    if action != DrawAction.VIEW and not draw_can(actor, draw, action):
        raise PermissionDenied(_("You may not do this with this draw."))
    return draw


@dataclass
class DrawCounts:
    needed: int
    confirmed: int
    awaiting: int
    declined: int

    def __str__(self) -> str:
        return _("%(c)d of %(n)d confirmed") % {"c": self.confirmed, "n": self.needed}


def draw_counts(draw: Draw) -> DrawCounts:
    states = list(draw.selections.values_list("state", flat=True))
    return DrawCounts(needed=sum(draw.buckets.values_list("count", flat=True)),
                      confirmed=states.count(SelectionState.CONFIRMED), awaiting=states.count(SelectionState.NOTIFIED),
                      declined=len(states) - states.count(SelectionState.CONFIRMED) - states.count(SelectionState.NOTIFIED))


def draw_selections(draw: Draw) -> QuerySet[Selection]:
    """Names: only for someone draw_can(VIEW_NAMES) lets through (the caller checks)."""
    return draw.selections.select_related("expert", "bucket__specialty", "replaces__expert").order_by("sequence")


def draws_for_lot(lot_id: int) -> QuerySet[Draw]:
    return Draw.objects.filter(lot_id=lot_id).order_by("-created_at")


def draws_for_actor(actor: Actor) -> list[Draw]:
    qs = Draw.objects.select_related("tender", "lot").order_by("-created_at")[:200]
    return [d for d in qs if draw_can(actor, d, DrawAction.VIEW)]


def expert_of(user) -> Expert | None:
    if user is None or not user.is_authenticated:
        return None
    return Expert.objects.filter(user=user).first()


def invitations_for(expert: Expert) -> QuerySet[Selection]:
    return (Selection.objects.filter(expert=expert).select_related("draw__tender", "draw__lot", "declaration")
            .order_by("-notified_at"))


def invitation_for_expert(*, user, selection_id: int) -> Selection:
    selection = Selection.objects.select_related("expert__user", "draw__tender", "draw__lot", "bucket").filter(
        pk=selection_id).first()
    if selection is None or selection.expert.user_id != getattr(user, "pk", None):
        raise NotFound(_("No such invitation."))
    return selection


def applications_pending() -> QuerySet[ExpertApplication]:
    return ExpertApplication.objects.filter(status=ExpertApplication.Status.PENDING).select_related("user") \
        .prefetch_related("specialties", "evidence").order_by("created_at")


def specialty_tree() -> list[tuple[Specialty, int]]:
    """(specialty, depth) in tree order."""
    nodes = list(Specialty.objects.all().order_by("code"))
    children: dict = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    out: list[tuple[Specialty, int]] = []

    def walk(parent, depth):
        for node in children.get(parent, []):
            out.append((node, depth))
            walk(node.pk, depth + 1)
    walk(None, 0)
    return out


def messages_for(user) -> QuerySet[Message]:
    return Message.objects.filter(recipient=user)[:50]


def lots_awaiting_draw(actor: Actor) -> list:
    """Lots of the tenders the actor runs that are published and have no live draw yet."""
    from bidding.models import Lot
    from experts.models import DrawStatus
    from experts.services.draws import DRAWABLE_TENDER_STATES

    if actor.role not in {"agency", "tenderer"} or actor.organisation is None:
        return []
    lots = (Lot.objects.filter(tender__status__in=DRAWABLE_TENDER_STATES).select_related("tender")
            .exclude(expert_draws__status__in=[s for s in DrawStatus.values if s != DrawStatus.STOPPED])
            .order_by("tender__bid_deadline", "number"))
    return [lot for lot in lots if lot.tender.operator_id == actor.organisation_id]


def may_see_pool(actor: Actor) -> bool:
    """The trading centre keeps the pool and the regulator supervises it; nobody else sees the register."""
    return (actor.role in {"centre", "regulator"} and actor.organisation is not None
            and actor.organisation.is_approved)


def pool_search(*, q: str = "", specialty_id: int | None = None, region: str = "",
                status: str = "") -> QuerySet[Expert]:
    qs = Expert.objects.all()
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    if specialty_id:
        qs = qs.filter(specialty_links__specialty_id=specialty_id)
    if region.strip():
        qs = qs.filter(region__icontains=region.strip())
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("specialties").order_by("name", "pk")


def expert_for_actor(*, actor: Actor, expert_id: int) -> Expert:
    expert = Expert.objects.filter(pk=expert_id).first() if may_see_pool(actor) else None
    if expert is None:
        raise NotFound(_("No such expert, or you may not see the pool."))
    return expert


def expert_record(expert: Expert) -> dict:
    """What the record page shows: specialties, relationships, penalties, leave, applications with evidence."""
    return {
        "specialties": list(expert.specialties.order_by("code")),
        "relationships": list(expert.relationships.order_by("ended_on", "-pk")),
        "penalties": list(expert.penalties.order_by("-decided_on", "-pk")),
        "leaves": list(expert.leaves.order_by("-starts_on", "-pk")),
        "applications": list(ExpertApplication.objects.filter(user_id=expert.user_id).prefetch_related("evidence")
                             .order_by("-created_at")),
    }
