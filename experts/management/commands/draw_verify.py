"""Recompute an expert draw from its committed inputs: exit 0 when it matches, 1 naming what differs."""

from django.core.management.base import BaseCommand, CommandError

from experts.models import Draw
from experts.verify import draw_verify


class Command(BaseCommand):
    help = "Recompute an expert draw from the recorded seed, snapshot and rules and compare with the result."

    def add_arguments(self, parser):
        parser.add_argument("draw_id", type=int)
        parser.add_argument("--seed", help="the seed in hex, to check a published seed instead of the stored one")

    def handle(self, *args, draw_id: int, seed: str | None = None, **options):
        draw = Draw.objects.filter(pk=draw_id).first()
        if draw is None:
            raise CommandError(f"No draw #{draw_id}.")
        try:
            report = draw_verify(draw, seed=bytes.fromhex(seed) if seed else None)
        except ValueError as exc:
            raise CommandError(f"The seed must be hexadecimal: {exc}") from exc
        for check in report.checks:
            mark = "ok      " if check.ok else "MISMATCH"
            self.stdout.write(f"{mark} {check.name:9} {check.detail}")
        if not report.ok:
            raise CommandError(f"Draw #{draw_id} does not match its recorded inputs.")
        self.stdout.write(self.style.SUCCESS(f"Draw #{draw_id} matches: same seed, same snapshot, same experts."))
