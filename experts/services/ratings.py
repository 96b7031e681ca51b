"""Rating experts after an evaluation (Zhejiang practice, RULES X10)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.actor import Actor
from core.errors import DomainError, PermissionDenied
from experts.eligibility import years_before
from experts.models import Expert, Rating, Selection, SelectionState
from experts.permissions import DrawAction, draw_can
from witness.services import event_record
from workdays.selectors import add_working_days


def rating_deadline(selection: Selection):
    return add_working_days(selection.draw.evaluation_at, settings.EXPERT_RATING_WORKING_DAYS)


def rating_record(*, actor: Actor, selection: Selection, score, comment: str = "") -> Rating:
    draw = selection.draw
    if not draw_can(actor, draw, DrawAction.RATE):
        raise PermissionDenied(_("Only the organisation running the evaluation rates its experts."))
    now = clock.now()
    if not isinstance(score, int) or not 0 <= score <= 100:
        raise DomainError(_("A rating is a whole number from 0 to 100."), field="score")
    if selection.state != SelectionState.CONFIRMED:
        raise DomainError(_("Only experts who sat on the committee are rated."))
    if now < draw.evaluation_at:
        raise DomainError(_("Experts are rated after the evaluation."))
    deadline = rating_deadline(selection)
    if timezone.localtime(now).date() > deadline:
        raise DomainError(_("Ratings were due within %(n)d working days of the evaluation, by %(d)s (RULES X10).")
                          % {"n": settings.EXPERT_RATING_WORKING_DAYS, "d": deadline.isoformat()})
    with transaction.atomic():
        if Rating.objects.filter(selection=selection).exists():
            raise DomainError(_("This expert has already been rated for this evaluation."))
        rating = Rating.objects.create(selection=selection, expert_id=selection.expert_id, score=score,
                                       comment=comment.strip()[:300], rated_by=actor.user, rated_at=now)
        event_record(actor=actor, action="expert.rated", subject=rating,
                     data={"draw": draw.pk, "expert": selection.expert_id, "score": score})
        expert_flags_update(actor=actor, expert_id=selection.expert_id)
    return rating


def expert_flags_update(*, actor: Actor, expert_id: int) -> Expert:
    """Senior: at least 10 ratings in 2 years, all >= 90. Removal review: their average below 60 (RULES X10)."""
    now = clock.now()
    since = timezone.make_aware(timezone.datetime.combine(
        years_before(timezone.localtime(now).date(), settings.EXPERT_RATING_WINDOW_YEARS), timezone.datetime.min.time()))
    stats = Rating.objects.filter(expert_id=expert_id, rated_at__gte=since - timedelta(0)).aggregate(
        n=Count("pk"), low=Min("score"), avg=Avg("score"))
    senior = stats["n"] >= settings.EXPERT_SENIOR_MIN_RATINGS and stats["low"] >= settings.EXPERT_SENIOR_MIN_SCORE
    removal = stats["n"] > 0 and stats["avg"] < settings.EXPERT_REMOVAL_AVERAGE
    expert = Expert.objects.select_for_update().get(pk=expert_id)
    if (expert.is_senior, expert.removal_review) != (senior, removal):
        expert.is_senior, expert.removal_review = senior, removal
        expert.save(update_fields=["is_senior", "removal_review"])
        event_record(actor=actor, action="expert.flags_changed", subject=expert,
                     data={"senior": senior, "removal_review": removal, "ratings": stats["n"],
                           "average": str(round(stats["avg"] or 0, 2))})
    return expert
