"""draw_verify recomputes a draw and detects a changed seed, snapshot, rules or result."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.core.management import CommandError, call_command

from experts import identity
from experts.models import Draw
from experts.services.responses import expert_actor, invitation_decline
from experts.verify import draw_verify

pytestmark = pytest.mark.django_db


def run(draw_id) -> str:
    from io import StringIO

    out = StringIO()
    call_command("draw_verify", str(draw_id), stdout=out)
    return out.getvalue()


def test_an_untouched_draw_with_a_replacement_matches(drawn):
    victim = drawn.selections.order_by("sequence").first()
    invitation_decline(actor=expert_actor(victim), selection=victim)
    assert draw_verify(Draw.objects.get(pk=drawn.pk)).ok
    assert "matches" in run(drawn.pk)


def test_a_changed_seed_is_detected(drawn):
    Draw.objects.filter(pk=drawn.pk).update(seed_cipher=identity.encrypt("ab" * 32, purpose=b"seed"))
    report = draw_verify(Draw.objects.get(pk=drawn.pk))
    assert [c.name for c in report.checks if not c.ok][0] == "seed"
    with pytest.raises(CommandError):
        run(drawn.pk)


def test_a_changed_snapshot_is_detected(drawn):
    bucket = drawn.buckets.get(position=1)
    bucket.eligible = bucket.eligible[:-1]
    bucket.save(update_fields=["eligible"])
    report = draw_verify(Draw.objects.get(pk=drawn.pk))
    assert not {c.name: c.ok for c in report.checks}["snapshot"]


def test_a_changed_result_is_detected_naming_the_seat(drawn, pool):
    seat = drawn.selections.order_by("sequence").first()
    spare = next(e for e in pool["road"] if not drawn.selections.filter(expert=e).exists())
    seat.expert = spare
    seat.save(update_fields=["expert"])
    with translation.override("en"):  # the check's words, in English whatever an earlier test activated
        report = draw_verify(Draw.objects.get(pk=drawn.pk))
    failed = {c.name: c.detail for c in report.checks if not c.ok}
    assert "seat 1" in failed["result"] and "ledger" in failed


def test_a_wrong_seed_given_on_the_command_line_is_a_mismatch(drawn):
    with pytest.raises(CommandError):
        call_command("draw_verify", str(drawn.pk), "--seed", "00" * 32)
