from __future__ import annotations

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.services import FindingInput, finding_decide, finding_record
from core import clock


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


@pytest.fixture
def clock_at(monkeypatch):
    """Move the platform clock: clock_at(datetime) sets it until the next call."""
    def move(when: datetime | None) -> datetime:
        """None puts the real clock back."""
        monkeypatch.setattr(clock, "now", (lambda: when) if when is not None else timezone.now)
        return when or timezone.now()
    return move


def carded_now(actor, agency_org, colour: str, clock_at, violation_type: str = "filing_errors"):
    """A card of `colour` in force today (issued about a week ago); the real clock runs again afterwards."""
    card = card_for(actor, agency_org, colour, clock_at=clock_at, when=timezone.now() - timezone.timedelta(days=20),
                    violation_type=violation_type)
    clock_at(None)
    return card


def evidence(name: str = "现场记录.pdf", content: bytes = b"%PDF-1.4\n% evidence\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def record(actor, agency_org, violation_type: str = "filing_errors", *, tender=None, description="招标文件中评分标准前后矛盾。"):
    return finding_record(actor=actor, data=FindingInput(
        agency_id=agency_org.pk, violation_type=violation_type, description=description,
        tender_id=tender.pk if tender else None, evidence=[evidence()]))


def card_for(actor, agency_org, colour: str, *, clock_at, when: datetime, violation_type: str = "filing_errors"):
    """A finding recorded at `when`, left unanswered, decided with a card of `colour` after the response period."""
    clock_at(when)
    finding = record(actor, agency_org, violation_type)
    clock_at(timezone.make_aware(datetime.combine(finding.response_due, datetime.min.time())).replace(hour=12)
             + timezone.timedelta(days=1))
    finding = finding_decide(actor=actor, finding=finding, issue_card=True, note="经核实，违规事实清楚。", colour=colour)
    return finding.card
