"""The daily score (RULES T1: recalculated daily, deductions effective the day after the decision).

Pages compute the score on read for the day they are shown; this job keeps one ScoreRecord per
intermediary per day for the history. Running it twice on a day changes nothing."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from agencies.models import ScoreRecord
from agencies.selectors import agencies_listed, today, with_score


@transaction.atomic
def scores_recalculate(*, day: date | None = None) -> int:
    day = day or today()
    rows = with_score(agencies_listed(), day).values_list("pk", "score")
    written = 0
    for agency_id, score in rows:
        _, created = ScoreRecord.objects.update_or_create(agency_id=agency_id, day=day, defaults={"score": score})
        written += created
    return written
