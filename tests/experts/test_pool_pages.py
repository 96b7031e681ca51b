"""The pool register, each expert's record, evidence downloads and the tender page's draw link: who may
open what (the role matrix), search and paging, masking."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.actor import Actor
from experts.models import Penalty, Specialty
from experts.services.pool import expert_apply
from tests.experts.test_pool import application
from tests.factories import UserFactory, actor_of, make_expert

pytestmark = pytest.mark.django_db

# Expected status per role and page. "expert" is a signed-in pool member without an organisation;
# "agency"/"bidder"/"tenderer" are approved organisations; POSTs are with valid data.
MATRIX = """
page              anonymous  bidder  agency  tenderer  expert  regulator  centre
pool_list         302        403     403     403       403     200        200
expert_detail     302        404     404     404       404     200        200
penalty_add       302        403     403     403       403     403        302
leave_add         302        403     403     403       403     403        302
status_set        302        403     403     403       403     403        302
evidence          302        403     403     403       403     403        200
"""
ROWS = [line.split() for line in MATRIX.strip().splitlines()]
ROLES = ROWS[0][1:]
CASES = [(row[0], role, int(code)) for row in ROWS[1:] for role, code in zip(ROLES, row[1:])]


@pytest.fixture
def subject(tmp_path):
    """An expert who joined through an application with one evidence file."""
    user = UserFactory()
    applicant = Actor(user=user, organisation=None, role="none")
    app = expert_apply(actor=applicant, data=application(), evidence=[
        SimpleUploadedFile("高级职称证书.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")])
    from experts.services.pool import application_review

    application_review(actor=actor_of("centre"), application=app, approve=True, note="符合入库条件")
    return user.expert, app.evidence.get()


def client_as(role: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role == "expert":
        c.force_login(make_expert().user)
    elif role != "anonymous":
        c.force_login(actor_of(role).user)
    return c


@pytest.mark.parametrize("page, role, expected", CASES, ids=[f"{p}-{r}" for p, r, _ in CASES])
def test_role_matrix(subject, page, role, expected):
    expert, evidence = subject
    c = client_as(role)
    base = f"/experts/pool/{expert.pk}/"
    today = "2026-01-05"
    requests = {
        "pool_list": lambda: c.get("/experts/pool/"),
        "expert_detail": lambda: c.get(base),
        "penalty_add": lambda: c.post(base + "penalties/", {"penalty-decided_on": today, "penalty-authority": "发改局",
                                                           "penalty-description": "迟到"}),
        "leave_add": lambda: c.post(base + "leave/", {"leave-starts_on": "2099-01-01", "leave-ends_on": "2099-01-02"}),
        "status_set": lambda: c.post(base + "status/", {"status-status": "retired", "status-reason": "退休"}),
        "evidence": lambda: c.get(f"/experts/evidence/{evidence.pk}/"),
    }
    response = requests[page]()
    assert response.status_code == expected
    if page == "penalty_add":
        assert Penalty.objects.exists() is (expected == 302 and role == "centre")
    if page == "evidence" and expected == 200:
        assert b"".join(response.streaming_content) == b"%PDF-1.4 certificate"
        assert "attachment" in response["Content-Disposition"]


def test_media_is_not_served_statically(subject):
    _, evidence = subject
    assert Client().get("/media/" + evidence.file.name).status_code == 404


def test_search_by_name_specialty_region_status_and_paging(centre):
    for i in range(30):
        make_expert(specialties=["SZ01"], region="浙江省/杭州市/西湖区")
    wang = make_expert(specialties=["ZJ"], region="浙江省/湖州市/安吉县")
    from experts.models import Expert

    Expert.objects.filter(pk=wang.pk).update(name="王造价", status="suspended")
    c = client_for_role(centre)
    first = c.get("/experts/pool/").content.decode()
    assert "31 experts" in first and "Page 1 of 2" in first
    second = c.get("/experts/pool/?page=2").content.decode()
    assert "Page 2 of 2" in second
    zj = Specialty.objects.get(code="ZJ").pk
    for query in ("q=王造", f"specialty={zj}", "region=安吉", "status=suspended",
                  f"q=王&specialty={zj}&region=湖州&status=suspended"):
        page = c.get(f"/experts/pool/?{query}").content.decode()
        assert "1 expert" in page and "王造价" in page, query
    assert "No experts match." in c.get("/experts/pool/?q=nobody").content.decode()


def test_national_ids_are_masked(subject, regulator):
    expert, _ = subject
    from experts import identity

    number = identity.decrypt(expert.id_cipher)
    c = client_for_role(regulator)
    for url in ("/experts/pool/", f"/experts/pool/{expert.pk}/"):
        page = c.get(url).content.decode()
        assert expert.id_masked in page and number not in page


def test_the_regulator_reads_the_record_but_gets_no_forms_or_downloads(subject, regulator):
    expert, evidence = subject
    page = client_for_role(regulator).get(f"/experts/pool/{expert.pk}/").content.decode()
    assert "高级职称证书.pdf" in page
    assert "Record penalty" not in page and f"/experts/evidence/{evidence.pk}/" not in page


def test_the_centre_finds_evidence_links_in_the_queue_and_record(subject, centre):
    expert, evidence = subject
    page = client_for_role(centre).get(f"/experts/pool/{expert.pk}/").content.decode()
    assert f"/experts/evidence/{evidence.pk}/" in page


def client_for_role(actor) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(actor.user)
    return c
