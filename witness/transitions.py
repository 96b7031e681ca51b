"""The one mechanism behind every lifecycle: lock the row, check the move against its table, record the
ledger event, save with update_fields — all in one transaction (DESIGN.md §3 "State machines").

Each lifecycle keeps its own table of allowed moves and its own wording for a refused move; this module
only performs the move. It sits in witness because recording the event is half of what it does."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models, transaction

from core.actor import Actor
from core.errors import IllegalTransition
from witness.services import event_record

M = TypeVar("M", bound=models.Model)


def transition(
    *,
    actor: Actor,
    instance: M,
    to: str,
    table: dict[tuple[str, str], str],
    refusal: Callable[[M], str],
    field: str = "status",
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    tender_id: Callable[[M], int | None] | None = None,
    also_save: Iterable[str] = (),
) -> M:
    """Move `instance` to `to` if (current, to) is in `table`, else raise IllegalTransition(refusal(row)).

    `changes` are further fields set in the same save; `data` joins {"from", "to"} in the ledger event, whose
    action is the table's value. The caller's object is updated too; the locked row is returned."""
    changes = changes or {}
    with transaction.atomic():
        locked = type(instance).objects.select_for_update().get(pk=instance.pk)
        before = getattr(locked, field)
        action = table.get((before, to))
        if action is None:
            raise IllegalTransition(refusal(locked))
        setattr(locked, field, to)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=[field, *changes, *also_save])
        event_record(actor=actor, action=action, subject=locked,
                     tender_id=tender_id(locked) if tender_id else None,
                     data={"from": before, "to": to, **(data or {})})
    for name in [field, *changes]:
        setattr(instance, name, getattr(locked, name))
    return locked
