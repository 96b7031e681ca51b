"""What other apps say about the agency a tender names, asked by bidding's services and pages.

The agency directory and its cards (三色令) sit beside bidding (DESIGN.md §3) and bidding never imports
them. An app registers a check from its AppConfig.ready(): ``check(agency_ids)`` returns, per agency id,
the notes that apply now. Bidding refuses on a REFUSE note, asks the tenderer to confirm on a CONFIRM note,
marks filings for closer review when a note says so, and shows every note's badge. With nothing
registered every agency is fine."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

REFUSE = "refuse"
CONFIRM = "confirm"
SHOW = "show"


@dataclass(frozen=True)
class AgencyNote:
    level: str  # REFUSE | CONFIRM | SHOW
    message: str
    label: str = ""  # a short badge text
    badge: str = ""  # a CSS modifier: the badge is shown with class "badge-<badge>"
    url: str = ""  # where to read more
    closer_review: bool = False  # its filings are marked for closer review


AgencyCheck = Callable[[list[int]], dict[int, list[AgencyNote]]]
_checks: list[AgencyCheck] = []


def register_agency_check(check: AgencyCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def unregister_agency_check(check: AgencyCheck) -> None:
    if check in _checks:
        _checks.remove(check)


def agency_notes(agency_ids: Iterable[int | None]) -> dict[int, list[AgencyNote]]:
    """Notes for several agencies at once (one call per registered check, whatever the number)."""
    ids = sorted({pk for pk in agency_ids if pk})
    result: dict[int, list[AgencyNote]] = {pk: [] for pk in ids}
    if not ids:
        return result
    for check in _checks:
        for pk, notes in check(ids).items():
            result.setdefault(pk, []).extend(notes)
    return result


def notes_for(agency) -> list[AgencyNote]:
    if agency is None:
        return []
    return agency_notes([agency.pk]).get(agency.pk, [])


def refusal(notes: list[AgencyNote]) -> str | None:
    return next((note.message for note in notes if note.level == REFUSE), None)


def confirmation(notes: list[AgencyNote]) -> str | None:
    return next((note.message for note in notes if note.level == CONFIRM), None)


def closer_review(notes: list[AgencyNote]) -> bool:
    return any(note.closer_review for note in notes)
