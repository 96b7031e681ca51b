import sys
import time

from django.core.management.base import BaseCommand

from witness.verify import chain_verify


class Command(BaseCommand):
    help = "Walk the whole witness ledger; exit 0 if the chain holds, 1 naming the first bad event."

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = chain_verify()
        elapsed = time.perf_counter() - started
        if result.ok:
            self.stdout.write(self.style.SUCCESS(
                f"OK: {result.checked} events verified, chain unbroken ({elapsed:.2f} s)."))
            return
        self.stderr.write(self.style.ERROR(
            f"FAILED at event #{result.bad_seq}: {result.reason}. {result.checked} events verified before it."))
        sys.exit(1)
