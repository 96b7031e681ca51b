"""Cards: escalation, validity and expiry, the score, the notice, with a moved clock."""

from __future__ import annotations

from datetime import date

import pytest

from agencies.models import ScoreRecord
from agencies.selectors import cards_in_force, directory, score_of
from agencies.services import scores_recalculate
from tests.agencies.conftest import at, card_for
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def intermediary(db):
    return OrganisationFactory(kind="agency", name="湖州测试工程咨询有限公司")


def test_a_second_blue_within_twelve_months_becomes_yellow(regulator, intermediary, clock_at):
    first = card_for(regulator, intermediary, "blue", clock_at=clock_at, when=at(2025, 1, 6))
    second = card_for(regulator, intermediary, "blue", clock_at=clock_at, when=at(2025, 9, 1))
    assert first.colour == "blue" and first.expires_on < second.issued_on  # the first has expired already
    assert (second.decided_colour, second.colour) == ("blue", "yellow")
    assert second.escalation
    assert second.issued_on == date(2025, 9, 9) and second.expires_on == date(2026, 3, 9)  # six months


def test_a_blue_more_than_twelve_months_later_stays_blue(regulator, intermediary, clock_at):
    card_for(regulator, intermediary, "blue", clock_at=clock_at, when=at(2024, 3, 4))
    later = card_for(regulator, intermediary, "blue", clock_at=clock_at, when=at(2025, 6, 2))
    assert later.colour == "blue" and later.escalation == ""


def test_a_second_yellow_within_twelve_months_becomes_red(regulator, intermediary, clock_at):
    card_for(regulator, intermediary, "yellow", clock_at=clock_at, when=at(2025, 2, 10), violation_type="procedure_breach")
    second = card_for(regulator, intermediary, "yellow", clock_at=clock_at, when=at(2025, 10, 13),
                      violation_type="procedure_breach")
    assert second.colour == "red"
    assert (second.expires_on - second.issued_on).days in (365, 366)


def test_cards_expire_and_leave_the_public_list_but_stay_in_history(regulator, intermediary, clock_at):
    card = card_for(regulator, intermediary, "blue", clock_at=clock_at, when=at(2025, 3, 13))
    assert card.issued_on == date(2025, 3, 21) and card.expires_on == date(2025, 6, 21)
    assert card in cards_in_force(date(2025, 6, 20))
    assert card not in cards_in_force(date(2025, 6, 21))
    assert intermediary.agency_cards.filter(pk=card.pk).exists()


def test_score_counts_from_the_day_after_the_decision_until_expiry(regulator, intermediary, clock_at):
    card = card_for(regulator, intermediary, "yellow", clock_at=clock_at, when=at(2025, 3, 13),
                    violation_type="procedure_breach")
    assert score_of(intermediary.pk, card.issued_on) == 100
    assert score_of(intermediary.pk, card.effective_on) == 95
    assert score_of(intermediary.pk, card.expires_on) == 100
    clock_at(at(2025, 4, 1))
    row = directory().get(pk=intermediary.pk)
    assert row.score == 95 and [c.colour for c in row.cards_now] == ["yellow"]


def test_daily_recalculation_is_idempotent(regulator, intermediary, clock_at):
    card_for(regulator, intermediary, "blue", clock_at=clock_at, when=at(2025, 3, 13))
    clock_at(at(2025, 4, 1))
    first = scores_recalculate()
    again = scores_recalculate()
    assert first >= 1 and again == 0
    assert ScoreRecord.objects.get(agency=intermediary, day=date(2025, 4, 1)).score == 98


def test_a_notice_pdf_is_published_after_the_decision(regulator, intermediary, clock_at,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        card = card_for(regulator, intermediary, "blue", clock_at=clock_at, when=at(2025, 3, 13))
    card.refresh_from_db()
    assert card.notice_file.name.endswith(".pdf") and len(card.notice_sha256) == 64
    with card.notice_file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
