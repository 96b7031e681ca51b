"""The agency's tender endpoints and the centre's review: rules, permissions, nothing saved on refusal."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bidding.models import Tender, TenderDocument, TenderStatus
from bidding.services import tender_submit
from core import clock
from tests.api.conftest import iso
from tests.factories import actor_of, make_tender
from witness.models import Event
from witness.verify import chain_verify


def test_agency_creates_a_tender_with_its_lots(client_for, agency, tender_body, tenderer_org):
    response = client_for(agency).post("/api/agency/tenders/", tender_body(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    tender = Tender.objects.get(pk=body["id"])
    assert tender.status == TenderStatus.DRAFT
    assert tender.agency_id == agency.organisation.pk and tender.tenderer_id == tenderer_org.pk
    assert [lot["ceiling_price"] for lot in body["lots"]] == ["2900000.00", "1950000.00"]
    assert body["budget"] == "5000000.00"
    assert body["reference"].startswith("GC-")
    event = Event.objects.get(action="tender.created", tender_id=tender.pk)
    assert event.ip == "127.0.0.1" and event.organisation_id == agency.organisation.pk
    assert chain_verify().ok


def test_numbers_are_accepted_for_money(client_for, agency, tender_body):
    body = tender_body(budget=5000000, lots=[{"name": "一标段", "budget": 5000000, "ceiling_price": 4999999.5}])

    response = client_for(agency).post("/api/agency/tenders/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["lots"][0]["ceiling_price"] == "4999999.50"


@pytest.mark.parametrize("change, field", [
    ({"lots": []}, "lots"),
    ({"budget": "0"}, "budget"),
    ({"budget": "-100.00"}, "budget"),
    ({"budget": "100.001"}, "budget"),
    ({"budget": "a lot"}, "budget"),
    ({"lots": [{"name": "一标段", "budget": "0.00", "ceiling_price": "1.00"}]}, "lots.1.budget"),
    ({"lots": [{"name": "一标段", "budget": "100.00", "ceiling_price": "-1.00"}]}, "lots.1.ceiling_price"),
    ({"lots": [{"name": "一标段", "budget": "1000.00", "ceiling_price": "900.00"},
               {"name": "二标段", "budget": "1000.00", "ceiling_price": "1000.01"}]}, "lots.2.ceiling_price"),
    ({"lots": [{"name": "", "budget": "1000.00", "ceiling_price": "900.00"}]}, "lots.1.name"),
    ({"lots": [{"name": "一标段", "budget": "1000.00"}]}, "lots.1.ceiling_price"),
    ({"lots": "one lot"}, "lots"),
    ({"budget": "1000.00"}, "budget"),  # the lots add up to more than the tender's budget
    ({"method": "auction"}, "method"),
    ({"category": 7}, "category"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"tenderer_id": None}, "tenderer_id"),
    ({"tenderer_id": 99999999}, "tenderer_id"),
    ({"decryption_window_minutes": 5}, "decryption_window_minutes"),
    ({"publish_at": "2030-03-01T09:00:00"}, "publish_at"),
    ({"bid_deadline": "next tuesday"}, "bid_deadline"),
    ({"bid_deadline": "1999-12-31T09:00:00+08:00"}, "bid_deadline"),
    ({"evaluation_planned_at": 12}, "evaluation_planned_at"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_created(client_for, agency, tender_body, counts,
                                                                      change, field):
    before = counts()

    response = client_for(agency).post("/api/agency/tenders/", tender_body(**change), format="json")

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"], body["fields"]
    assert body["detail"]
    assert counts() == before


def test_naive_datetime_is_refused_with_a_clear_message(client_for, agency, tender_body):
    response = client_for(agency).post("/api/agency/tenders/", tender_body(bid_deadline="2030-03-01T09:00:00"),
                                       format="json")

    assert response.status_code == 400
    assert "UTC offset" in response.json()["fields"]["bid_deadline"][0]


def test_deadline_before_publication_is_refused(client_for, agency, tender_body, counts):
    start = clock.now() + timedelta(days=3)
    before = counts()

    response = client_for(agency).post("/api/agency/tenders/", tender_body(
        publish_at=iso(start), clarification_deadline=iso(start - timedelta(days=2)),
        bid_deadline=iso(start - timedelta(days=1)), evaluation_planned_at=None), format="json")

    assert response.status_code == 400
    assert "bid_deadline" in response.json()["fields"]
    assert counts() == before


def test_deadline_with_too_little_time_for_bids_is_refused(client_for, agency, tender_body, counts):
    start = clock.now() + timedelta(hours=2)
    before = counts()

    response = client_for(agency).post("/api/agency/tenders/", tender_body(
        clarification_deadline=iso(start + timedelta(days=1)), bid_deadline=iso(start + timedelta(days=5)),
        evaluation_planned_at=None), format="json")

    assert response.status_code == 400
    message = response.json()["fields"]["bid_deadline"][0]
    assert "20" in message
    assert counts() == before


def test_every_problem_is_reported_at_once(client_for, agency, tender_body):
    response = client_for(agency).post("/api/agency/tenders/", tender_body(
        title="", budget="-1", lots=[{"name": "一标段", "budget": "10.00", "ceiling_price": "20.00"}]),
        format="json")

    assert response.status_code == 400
    assert {"title", "budget", "lots.1.ceiling_price"} <= set(response.json()["fields"])


@pytest.mark.parametrize("body", [[], "tender", 42, None])
def test_a_body_that_is_not_an_object_is_refused(client_for, agency, counts, body):
    before = counts()

    response = client_for(agency).post("/api/agency/tenders/", body, format="json")

    assert response.status_code == 400
    assert counts() == before


def test_malformed_json_is_refused(client_for, agency, counts):
    before = counts()

    response = client_for(agency).post("/api/agency/tenders/", '{"title": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert counts() == before


@pytest.mark.parametrize("kind", ["bidder", "regulator", "centre"])
def test_other_roles_cannot_use_the_agency_endpoints(client_for, tender_body, counts, draft_tender, kind):
    client = client_for(actor_of(kind))
    before = counts()

    calls = [
        client.get("/api/agency/tenders/"),
        client.post("/api/agency/tenders/", tender_body(), format="json"),
        client.post("/api/agency/tenders/", {"title": 1}, format="json"),
        client.put(f"/api/agency/tenders/{draft_tender.pk}/", tender_body(), format="json"),
        client.post(f"/api/agency/tenders/{draft_tender.pk}/submit/"),
        client.post(f"/api/agency/tenders/{draft_tender.pk}/documents/",
                    {"file": SimpleUploadedFile("a.pdf", b"%PDF")}, format="multipart"),
    ]

    assert [call.status_code for call in calls] == [403] * len(calls)
    assert all(call.json()["code"] == "permission_denied" for call in calls)
    assert counts() == before


def test_unapproved_agency_cannot_create(client_for, tender_body, counts):
    pending = actor_of("agency", status="pending")
    before = counts()

    response = client_for(pending).post("/api/agency/tenders/", tender_body(), format="json")

    assert response.status_code == 403
    assert counts() == before


def test_another_agencys_draft_is_not_found(client_for, tender_body, draft_tender):
    client = client_for(actor_of("agency"))

    assert client.get(f"/api/agency/tenders/{draft_tender.pk}/").status_code == 404
    assert client.put(f"/api/agency/tenders/{draft_tender.pk}/", tender_body(), format="json").status_code == 404
    assert client.post(f"/api/agency/tenders/{draft_tender.pk}/submit/").status_code == 404
    assert client.get("/api/agency/tenders/").json()["results"] == []


def test_another_agencys_published_tender_cannot_be_touched(client_for, tender_body, published_tender, counts):
    client = client_for(actor_of("agency"))
    before = counts()

    assert client.get(f"/api/agency/tenders/{published_tender.pk}/").status_code == 403
    assert client.put(f"/api/agency/tenders/{published_tender.pk}/", tender_body(),
                      format="json").status_code == 403
    assert client.post(f"/api/agency/tenders/{published_tender.pk}/submit/").status_code == 403
    assert counts() == before


def test_agency_lists_its_own_tenders_in_any_state(client_for, agency, draft_tender, published_tender):
    make_tender()  # someone else's

    response = client_for(agency).get("/api/agency/tenders/")

    assert {item["id"] for item in response.json()["results"]} == {draft_tender.pk, published_tender.pk}
    only_drafts = client_for(agency).get("/api/agency/tenders/", {"status": "draft"}).json()["results"]
    assert [item["id"] for item in only_drafts] == [draft_tender.pk]


def test_agency_updates_its_draft(client_for, agency, draft_tender, tender_body):
    body = tender_body(title="新标题", tenderer_id=None,
                       lots=[{"name": "唯一标段", "budget": "4000000.00", "ceiling_price": "3800000.00"}])

    response = client_for(agency).put(f"/api/agency/tenders/{draft_tender.pk}/", body, format="json")

    assert response.status_code == 200, response.json()
    draft_tender.refresh_from_db()
    assert draft_tender.title == "新标题"
    assert [lot.name for lot in draft_tender.lots.all()] == ["唯一标段"]


def test_bad_update_changes_nothing(client_for, agency, draft_tender, tender_body, counts):
    before = counts()

    response = client_for(agency).put(f"/api/agency/tenders/{draft_tender.pk}/", tender_body(
        title="新标题", lots=[{"name": "一标段", "budget": "10.00", "ceiling_price": "20.00"}]), format="json")

    assert response.status_code == 400
    draft_tender.refresh_from_db()
    assert draft_tender.title != "新标题" and draft_tender.lots.count() == 1
    assert counts() == before


def test_editing_a_filed_tender_is_a_conflict(client_for, agency, draft_tender, tender_body, counts):
    tender_submit(actor=agency, tender=draft_tender)
    before = counts()

    response = client_for(agency).put(f"/api/agency/tenders/{draft_tender.pk}/", tender_body(), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert counts() == before


def test_agency_uploads_documents(client_for, agency, tender_body):
    client = client_for(agency)
    tender_id = client.post("/api/agency/tenders/", tender_body(), format="json").json()["id"]
    content = b"%PDF-1.4 tender documents"

    response = client.post(f"/api/agency/tenders/{tender_id}/documents/",
                           {"file": SimpleUploadedFile("招标文件.pdf", content), "title": "招标文件"},
                           format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size"] == len(content) and body["version"] == 1


@pytest.mark.parametrize("upload, field", [
    ({}, "file"),
    ({"file": SimpleUploadedFile("virus.exe", b"MZ")}, "file"),
    ({"file": SimpleUploadedFile("empty.pdf", b"")}, "file"),
])
def test_bad_upload_is_refused(client_for, agency, draft_tender, upload, field):
    before = TenderDocument.objects.count()

    response = client_for(agency).post(f"/api/agency/tenders/{draft_tender.pk}/documents/", upload,
                                       format="multipart")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert TenderDocument.objects.count() == before


def test_submit_without_documents_names_documents(client_for, agency, tender_body):
    client = client_for(agency)
    tender_id = client.post("/api/agency/tenders/", tender_body(), format="json").json()["id"]

    response = client.post(f"/api/agency/tenders/{tender_id}/submit/")

    assert response.status_code == 400
    assert "documents" in response.json()["fields"]
    assert Tender.objects.get(pk=tender_id).status == TenderStatus.DRAFT


def test_submit_then_submit_again_is_a_conflict(client_for, agency, draft_tender):
    client = client_for(agency)

    first = client.post(f"/api/agency/tenders/{draft_tender.pk}/submit/")
    second = client.post(f"/api/agency/tenders/{draft_tender.pk}/submit/")

    assert first.status_code == 200 and first.json()["status"] == "submitted"
    assert second.status_code == 409


def test_full_journey_create_upload_submit_approve(client_for, agency, centre, tender_body, anon):
    client = client_for(agency)
    tender_id = client.post("/api/agency/tenders/", tender_body(), format="json").json()["id"]
    client.post(f"/api/agency/tenders/{tender_id}/documents/",
                {"file": SimpleUploadedFile("招标文件.pdf", b"%PDF-1.4")}, format="multipart")
    assert client.post(f"/api/agency/tenders/{tender_id}/submit/").status_code == 200

    response = client_for(centre).post(f"/api/centre/tenders/{tender_id}/review/",
                                       {"approve": True, "note": "符合要求"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"
    assert response.json()["review_note"] == "符合要求"
    assert Event.objects.filter(tender_id=tender_id, action="tender.approved").exists()
    assert chain_verify().ok


def test_centre_returns_a_filing_with_reasons(client_for, agency, centre, draft_tender):
    tender_submit(actor=agency, tender=draft_tender)

    missing_note = client_for(centre).post(f"/api/centre/tenders/{draft_tender.pk}/review/",
                                           {"approve": False}, format="json")
    returned = client_for(centre).post(f"/api/centre/tenders/{draft_tender.pk}/review/",
                                       {"approve": False, "note": "工期不合理"}, format="json")

    assert missing_note.status_code == 400 and "note" in missing_note.json()["fields"]
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    again = client_for(agency).post(f"/api/agency/tenders/{draft_tender.pk}/submit/")
    assert again.status_code == 200


def test_review_needs_a_boolean_decision(client_for, agency, centre, draft_tender):
    tender_submit(actor=agency, tender=draft_tender)

    response = client_for(centre).post(f"/api/centre/tenders/{draft_tender.pk}/review/", {"approve": "perhaps"},
                                       format="json")

    assert response.status_code == 400 and "approve" in response.json()["fields"]


def test_reviewing_a_tender_not_awaiting_review_is_a_conflict(client_for, centre, published_tender):
    response = client_for(centre).post(f"/api/centre/tenders/{published_tender.pk}/review/", {"approve": True},
                                       format="json")

    assert response.status_code == 409


def test_centre_cannot_see_or_review_a_draft(client_for, centre, draft_tender):
    response = client_for(centre).post(f"/api/centre/tenders/{draft_tender.pk}/review/", {"approve": True},
                                       format="json")

    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["agency", "bidder", "regulator", "tenderer"])
def test_only_the_centre_reviews(client_for, agency, draft_tender, counts, kind):
    tender_submit(actor=agency, tender=draft_tender)
    reviewer = agency if kind == "agency" else actor_of(kind)
    before = counts()

    response = client_for(reviewer).post(f"/api/centre/tenders/{draft_tender.pk}/review/", {"approve": True},
                                         format="json")

    assert response.status_code == 403
    assert counts() == before


def test_tenderer_creates_a_tender_it_runs_itself(client_for, tenderer, tender_body):
    response = client_for(tenderer).post("/api/agency/tenders/", tender_body(tenderer_id=None), format="json")

    assert response.status_code == 201, response.json()
    tender = Tender.objects.get(pk=response.json()["id"])
    assert tender.tenderer_id == tenderer.organisation.pk and tender.agency_id is None


def test_tenderer_sees_but_cannot_edit_a_tender_its_agency_runs(client_for, tenderer, agency, tender_body):
    tender = make_tender(agency=agency, tenderer=tenderer.organisation)
    client = client_for(tenderer)

    assert client.get(f"/api/agency/tenders/{tender.pk}/").status_code == 200
    assert client.put(f"/api/agency/tenders/{tender.pk}/", tender_body(), format="json").status_code == 403


def test_uploading_to_a_filed_tender_is_a_conflict(client_for, agency, draft_tender):
    tender_submit(actor=agency, tender=draft_tender)
    before = TenderDocument.objects.count()

    response = client_for(agency).post(f"/api/agency/tenders/{draft_tender.pk}/documents/",
                                       {"file": SimpleUploadedFile("补充.pdf", b"%PDF-1.4")}, format="multipart")

    assert response.status_code == 409
    assert TenderDocument.objects.count() == before


def test_upload_must_be_multipart(client_for, agency, draft_tender):
    response = client_for(agency).post(f"/api/agency/tenders/{draft_tender.pk}/documents/", {"file": "x"},
                                       format="json")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
