"""Experts answer: confirm, decline, stay silent, declare a conflict; vacancies are filled from the same
ranking (RULES X7); the seed is revealed once the committee list is public."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bidding.hooks import known_bidders
from accounts.models import Organisation
from core import clock, lottery
from core.actor import Actor
from core.errors import DomainError, PermissionDenied
from experts.lifecycle import draw_transition, selection_transition
from experts.models import ConflictDeclaration, Draw, DrawStatus, Selection, SelectionState
from experts.permissions import committee_public
from experts.services.draws import draw_seed, invite, shortage_message
from witness.services import event_record

SYSTEM = Actor.system("system")


def expert_actor(selection: Selection, ip: str | None = None) -> Actor:
    return Actor(user=selection.expert.user, organisation=None, role="expert", ip=ip)


def _own(actor: Actor, selection: Selection) -> None:
    if actor.user is None or selection.expert.user_id != actor.user.pk:
        raise PermissionDenied(_("This invitation is addressed to another expert."))


def invitation_confirm(*, actor: Actor, selection: Selection) -> Selection:
    _own(actor, selection)
    with transaction.atomic():
        locked = Selection.objects.select_for_update().get(pk=selection.pk)
        if locked.state == SelectionState.NOTIFIED and clock.now() > locked.respond_by:
            raise DomainError(_("The time to answer ended at %(t)s; the next expert has been or will be called.")
                              % {"t": timezone.localtime(locked.respond_by).strftime("%Y-%m-%d %H:%M")})
        selection_transition(actor=actor, selection=locked, to=SelectionState.CONFIRMED)
        _complete_if_seated(actor, locked.draw_id)
    selection.state = locked.state
    return locked


def invitation_decline(*, actor: Actor, selection: Selection, reason: str = "") -> Selection:
    _own(actor, selection)
    with transaction.atomic():
        locked = Selection.objects.select_for_update().get(pk=selection.pk)
        if locked.state == SelectionState.NOTIFIED and clock.now() > locked.respond_by:
            raise DomainError(_("The time to answer ended at %(t)s; the next expert has been or will be called.")
                              % {"t": timezone.localtime(locked.respond_by).strftime("%Y-%m-%d %H:%M")})
        selection_transition(actor=actor, selection=locked, to=SelectionState.DECLINED, reason=reason)
        replacement_draw(actor=actor, vacated=locked)
    selection.state = locked.state
    return locked


def bidder_list(draw: Draw) -> list[dict]:
    ids = known_bidders(draw.lot)
    return [{"id": pk, "name": name} for pk, name in
            Organisation.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name")]


def conflict_declare(*, actor: Actor, selection: Selection, has_conflict: bool, note: str = "") -> ConflictDeclaration:
    """The expert has seen the bidder list (bidder_list) and declares; a conflict frees the seat."""
    _own(actor, selection)
    with transaction.atomic():
        locked = Selection.objects.select_for_update().select_related("draw__lot").get(pk=selection.pk)
        if locked.state != SelectionState.CONFIRMED:
            raise DomainError(_("Only an expert who confirmed the invitation declares conflicts."))
        if ConflictDeclaration.objects.filter(selection=locked).exists():
            raise DomainError(_("You have already made your declaration for this evaluation."))
        if has_conflict and not note.strip():
            raise DomainError(_("Say which bidder you are connected with and how."), field="note")
        declaration = ConflictDeclaration.objects.create(
            selection=locked, has_conflict=has_conflict, bidders=bidder_list(locked.draw), note=note.strip()[:300],
            declared_at=clock.now())
        if has_conflict:
            selection_transition(actor=actor, selection=locked, to=SelectionState.REPLACED, reason=note,
                                 data={"bidders": [b["id"] for b in declaration.bidders]})
            replacement_draw(actor=actor, vacated=locked)
        else:
            event_record(actor=actor, action="expert.no_conflict", subject=locked,
                         data={"draw": locked.draw_id, "bidders": [b["id"] for b in declaration.bidders]})
    return declaration


def replacement_draw(*, actor: Actor, vacated: Selection) -> Selection | None:
    """Fill a vacated seat with the next expert of the same bucket's ranking, or stop the draw."""
    draw = Draw.objects.select_for_update().select_related("tender", "lot").get(pk=vacated.draw_id)
    bucket = vacated.bucket
    seed = draw_seed(draw)
    used = set(draw.selections.values_list("expert_id", flat=True))
    order = lottery.ranking(seed, bucket.eligible)
    nxt = lottery.next_in(order, used)
    if nxt is None:
        draw_transition(actor=actor, draw=draw, to=DrawStatus.STOPPED,
                        changes={"stop_reason": shortage_message(bucket, 1, 0)},
                        data={"short": [[bucket.position, 1, 0]]})
        return None
    now = clock.now()
    sequence = (draw.selections.aggregate(m=Max("sequence"))["m"] or 0) + 1
    new = Selection.objects.create(draw=draw, bucket=bucket, expert_id=nxt, sequence=sequence,
                                   rank=order.index(nxt) + 1, replaces=vacated, notified_at=now,
                                   respond_by=now + timedelta_hours())
    taken = [(str(s.bucket.position), s.expert_id) for s in draw.selections.select_related("bucket").order_by("sequence")]
    result = lottery.result_hash(taken)
    Draw.objects.filter(pk=draw.pk).update(result_sha256=result)
    event_record(actor=actor, action="draw.replacement", subject=draw, tender_id=draw.tender_id, data={
        "bucket": bucket.position, "vacated_sequence": vacated.sequence, "sequence": sequence,
        "result_sha256": result})
    event_record(actor=actor, action="expert.replacement_selected", subject=new,
                 data={"draw": draw.pk, "expert": nxt, "replaces": vacated.expert_id, "rank": new.rank})
    if draw.status == DrawStatus.COMPLETE:
        draw_transition(actor=actor, draw=draw, to=DrawStatus.CONFIRMING, data={"reason": "replacement"})
    invite(draw, [new])
    return new


def timedelta_hours():
    from datetime import timedelta

    return timedelta(hours=settings.EXPERT_CONFIRM_HOURS)


def _complete_if_seated(actor: Actor, draw_id: int) -> None:
    draw = Draw.objects.select_for_update().get(pk=draw_id)
    if draw.status != DrawStatus.CONFIRMING:
        return
    needed = sum(draw.buckets.values_list("count", flat=True))
    confirmed = draw.selections.filter(state=SelectionState.CONFIRMED).count()
    pending = draw.selections.filter(state=SelectionState.NOTIFIED).exists()
    if confirmed >= needed and not pending:
        draw_transition(actor=actor, draw=draw, to=DrawStatus.COMPLETE, data={"confirmed": confirmed})


def draw_advance(draw: Draw) -> int:
    """Apply what is due on this draw now (silent time-outs): called by pages, services and the beat task."""
    overdue = list(Selection.objects.filter(draw_id=draw.pk, state=SelectionState.NOTIFIED,
                                            respond_by__lt=clock.now()).values_list("pk", flat=True))
    for pk in overdue:
        with transaction.atomic():
            locked = Selection.objects.select_for_update().select_related("bucket").get(pk=pk)
            if locked.state != SelectionState.NOTIFIED or locked.respond_by >= clock.now():
                continue
            selection_transition(actor=SYSTEM, selection=locked, to=SelectionState.TIMED_OUT,
                                 reason="no answer before the time limit")
            if Draw.objects.filter(pk=draw.pk, status__in=[DrawStatus.CONFIRMING, DrawStatus.COMPLETE]).exists():
                replacement_draw(actor=SYSTEM, vacated=locked)
    draw_reveal_if_public(draw)
    return len(overdue)


def invitations_expire() -> int:
    ids = Selection.objects.filter(state=SelectionState.NOTIFIED, respond_by__lt=clock.now()).values_list(
        "draw_id", flat=True).distinct()
    return sum(draw_advance(draw) for draw in Draw.objects.filter(pk__in=list(ids)))


def draw_reveal_if_public(draw: Draw) -> Draw:
    """Once the tender is awarded the list is public: publish the seed so anyone can recompute the draw."""
    if draw.seed_revealed or not draw.seed_cipher or not committee_public(draw):
        return draw
    with transaction.atomic():
        locked = Draw.objects.select_for_update().get(pk=draw.pk)
        if locked.seed_revealed:
            return locked
        seed = draw_seed(locked).hex()
        locked.seed_revealed, locked.revealed_at = seed, clock.now()
        locked.save(update_fields=["seed_revealed", "revealed_at"])
        event_record(actor=SYSTEM, action="draw.seed_revealed", subject=locked, tender_id=locked.tender_id,
                     data={"seed": seed, "seed_sha256": locked.seed_sha256,
                           "verify_url": reverse("experts:draw_verify", args=[locked.pk])})
    draw.seed_revealed, draw.revealed_at = locked.seed_revealed, locked.revealed_at
    return draw
