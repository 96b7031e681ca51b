"""Property test on the real database: whatever the pool looks like, no drawn expert breaks a rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experts.models import Draw, Expert, Leave, Penalty, Relationship, Selection
from experts.services.draws import draw_request, draw_run
from tests.experts.conftest import draw_input, evaluation_time
from tests.factories import make_expert

pytestmark = pytest.mark.django_db

TRAITS = st.sampled_from(["fine", "fine", "fine", "employer", "relationship", "leave", "penalty", "retired", "local",
                          "suspended_past"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(road=st.lists(TRAITS, min_size=3, max_size=12), cost=st.lists(TRAITS, min_size=1, max_size=4))
def test_no_selected_expert_violates_a_rule(published, agency, tenderer, road, cost):
    # each example starts from an empty pool (hypothesis runs them in one test transaction)
    Selection.objects.all().delete()
    Draw.objects.all().delete()
    Expert.objects.all().delete()
    day = evaluation_time().date()
    bad = set()
    for specialty, traits in (("SZ01", road), ("ZJ", cost)):
        for trait in traits:
            kwargs = {}
            if trait == "employer":
                kwargs["employer"] = tenderer.organisation
            if trait == "retired":
                kwargs["status"] = "retired"
            if trait == "local":
                kwargs["region"] = "浙江省/湖州市/安吉县"
            if trait == "suspended_past":
                kwargs.update(status="suspended", suspended_until=day - timedelta(days=1))
            e = make_expert(specialties=[specialty], **kwargs)
            if trait == "relationship":
                Relationship.objects.create(expert=e, kind="relative", organisation_name="x",
                                            organisation=agency.organisation)
            if trait == "leave":
                Leave.objects.create(expert=e, starts_on=day - timedelta(days=1), ends_on=day + timedelta(days=1))
            if trait == "penalty":
                Penalty.objects.create(expert=e, decided_on=day - timedelta(days=30), authority="a", description="d")
            if trait not in ("fine", "suspended_past"):
                bad.add(e.pk)
    draw = draw_run(actor=agency, draw=draw_request(actor=agency, data=draw_input(published)))
    chosen = set(draw.selections.values_list("expert_id", flat=True))
    assert not chosen & bad
    good_road = sum(1 for t in road if t in ("fine", "suspended_past"))
    good_cost = sum(1 for t in cost if t in ("fine", "suspended_past"))
    assert (draw.status == "confirming") == (good_road >= 4 and good_cost >= 1)
