from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import require_role
from core.actor import Actor
from core.errors import DomainError
from witness.services import event_record
from workdays.models import WorkdayOverride


@transaction.atomic
def workday_override_set(*, actor: Actor, day: date, is_working_day: bool, note: str) -> WorkdayOverride:
    require_role(actor, "centre")
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say why this day is amended (for example the State Council notice)."), field="note")
    override, created = WorkdayOverride.objects.select_for_update().get_or_create(
        day=day, defaults={"is_working_day": is_working_day, "note": note[:200], "created_by": actor.user})
    if not created:
        override.is_working_day = is_working_day
        override.note = note[:200]
        override.created_by = actor.user
        override.save(update_fields=["is_working_day", "note", "created_by"])
    event_record(actor=actor, action="calendar.amended", subject=override,
                 data={"day": day, "is_working_day": is_working_day, "note": override.note})
    return override


@transaction.atomic
def workday_override_remove(*, actor: Actor, day: date) -> None:
    require_role(actor, "centre")
    override = WorkdayOverride.objects.select_for_update().filter(day=day).first()
    if override is None:
        raise DomainError(_("%(day)s has no amendment to remove.") % {"day": day}, field="day")
    event_record(actor=actor, action="calendar.amendment_removed", subject=override,
                 data={"day": day, "was_working_day": override.is_working_day})
    override.delete()
