"""Pages and the public API: the directory without login, the finding pages per role, statistics, notices."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from agencies.models import Finding, FindingStatus, StaffMember
from agencies.services import CertificateInput, ProfileInput, profile_save, staff_add
from core.errors import DomainError
from tests.agencies.conftest import carded_now, evidence, record
from tests.factories import OrganisationFactory, actor_of
from witness.models import Event

pytestmark = pytest.mark.django_db


def client_for(actor=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if actor is not None:
        client.force_login(actor.user)
    return client


@pytest.fixture
def listed(agency):
    profile_save(actor=agency, agency=agency.organisation, data=ProfileInput(
        service_kinds=["tendering", "cost"], registered_capital="5000000.00", offices="青溪县胜利西路36号"))
    staff_add(actor=agency, agency=agency.organisation, name="陈建国", id_number="330523198001011234",
              role="project_lead", certificates=[CertificateInput("一级造价工程师", "建[造]13330000001")])
    return agency.organisation


def test_the_directory_is_public_searchable_and_shows_cards_and_score(listed, regulator, clock_at):
    carded_now(regulator, listed, "yellow", clock_at, "procedure_breach")
    OrganisationFactory(kind="agency", name="湖州某某监理有限公司")
    page = client_for().get("/agencies/", {"q": "陈建国"}).content.decode()
    assert listed.name in page and "湖州某某监理有限公司" not in page
    assert "badge-card-yellow" in page and ">95<" in page
    detail = client_for().get(f"/agencies/{listed.pk}/").content.decode()
    assert "陈建国" in detail and "建[造]13330000001" in detail and "330523198001011234" not in detail
    assert "Card history (internal)" not in detail
    own = client_for(actor_of("agency", organisation=listed)).get(f"/agencies/{listed.pk}/").content.decode()
    assert "Card history (internal)" in own


def test_the_public_api_lists_cards_and_scores(listed, regulator, clock_at):
    carded_now(regulator, listed, "blue", clock_at)
    body = client_for().get("/api/agencies/").json()
    row = next(r for r in body["results"] if r["id"] == listed.pk)
    assert row["score"] == 98 and row["cards"][0]["colour"] == "blue"
    assert row["service_kinds"] == ["tendering", "cost"] and row["staff_count"] == 1
    detail = client_for().get(f"/api/agencies/{listed.pk}/").json()
    assert detail["staff"][0]["certificates"][0]["number"] == "建[造]13330000001"
    assert detail["outcomes"] == {"tenders": 0, "returned": 0, "failed": 0, "complaints": 0}
    assert client_for().get("/api/agencies/999999/").status_code == 404
    assert client_for().get("/api/agencies/", {"ordering": "nonsense"}).status_code == 400


def test_a_person_works_for_one_intermediary_and_shared_certificates_are_flagged(listed, agency):
    other = actor_of("agency")
    with translation.override("en"), pytest.raises(DomainError, match="already registered"):
        staff_add(actor=other, agency=other.organisation, name="陈建国", id_number="330523198001011234",
                  role="technical")
    staff_add(actor=other, agency=other.organisation, name="李四", id_number="33052319900101123X",
              role="technical", certificates=[CertificateInput("一级造价工程师", "建[造]13330000001")])
    page = client_for().get(f"/agencies/{listed.pk}/").content.decode()
    assert "used by two intermediaries" in page
    assert StaffMember.objects.filter(id_number="330523198001011234", is_active=True).count() == 1


def test_findings_pages_by_role(regulator, agency, listed):
    finding = record(regulator, listed)
    assert client_for(regulator).get("/agencies/findings/").status_code == 200
    assert client_for(agency).get(f"/agencies/findings/{finding.pk}/").status_code == 200
    assert client_for(actor_of("agency")).get(f"/agencies/findings/{finding.pk}/").status_code == 404
    assert client_for(actor_of("bidder")).get("/agencies/findings/").status_code == 403
    assert client_for(actor_of("tenderer")).get("/agencies/findings/new/").status_code == 403
    assert client_for(agency).get("/agencies/statistics/").status_code == 403
    assert client_for().get("/agencies/findings/").status_code == 302  # to sign-in


def test_recording_through_the_page_and_bad_input_changes_nothing(regulator, listed):
    client = client_for(regulator)
    before = Finding.objects.count(), Event.objects.count()
    bad = client.post("/agencies/findings/new/", {"agency": listed.pk, "violation_type": "filing_errors",
                                                  "description": "无证据"})
    assert bad.status_code == 200 and "Attach the evidence" in bad.content.decode()
    assert (Finding.objects.count(), Event.objects.count()) == before
    good = client.post("/agencies/findings/new/", {"agency": listed.pk, "violation_type": "filing_errors",
                                                   "description": "评分标准前后矛盾", "evidence": [evidence()]})
    assert good.status_code == 302
    assert Finding.objects.get().status == FindingStatus.NOTIFIED


def test_statistics_show_the_work_report_figures(regulator, listed, clock_at):
    carded_now(regulator, listed, "blue", clock_at)
    page = client_for(regulator).get("/agencies/statistics/").content.decode()
    assert "intermediaries displayed publicly" in page and "badge-card-blue" in page


def test_a_notice_is_public_while_its_card_is_in_force(regulator, listed, clock_at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        card = carded_now(regulator, listed, "blue", clock_at)
    response = client_for().get(f"/agencies/notices/{card.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
