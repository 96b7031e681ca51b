import unicodedata

from django.core.management.base import BaseCommand

from bidding.demo.seed import Login, seed


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def login_table(logins: list[Login]) -> str:
    header = ("Role", "Organisation", "Status", "Username", "Password")
    rows = [header] + [(x.role, x.organisation, x.status, x.username, x.password) for x in logins]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = ("Load a demo county trading centre (fictional 青溪县): organisations, people and tenders in several "
            "states, each with a PDF tender document. Safe to run again: what exists is kept as it is.")

    def handle(self, *args, **options):
        result = seed(log=self.stdout.write)
        if result.organisations_created or result.tenders_created:
            self.stdout.write(self.style.SUCCESS(
                f"Demo loaded: {result.organisations_created} organisations and {result.tenders_created} tenders "
                "created."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write("\nDemo logins:\n" + login_table(result.logins) + "\n")
