"""Public tender endpoints: only published notices, drafts hidden, the detail a bidder needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bidding.services import clarification_publish, tender_review, tender_submit
from core import clock
from tests.factories import actor_of, make_tender


def test_list_shows_published_tenders_only(anon, published_tender, draft_tender):
    response = anon.get("/api/tenders/")

    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["results"]]
    assert ids == [published_tender.pk]
    assert response.json()["count"] == 1


def test_list_item_gives_money_as_two_decimal_strings_and_times_with_offset(anon, published_tender):
    item = anon.get("/api/tenders/").json()["results"][0]

    assert item["budget"] == "3000000.00"
    assert item["bid_deadline"].endswith("+08:00")
    assert item["tenderer"]["id"] == published_tender.tenderer_id
    assert item["agency"]["id"] == published_tender.agency_id
    assert item["lot_count"] == 1
    assert item["status"] == "published"


def test_list_filters_by_query_category_and_method(anon, agency, centre, published_tender):
    other = make_tender(agency=agency, category="government", method="negotiation", title="办公家具采购",
                        start=clock.now() - timedelta(minutes=1), bid_deadline=clock.now() + timedelta(days=12),
                        clarification_deadline=clock.now() + timedelta(days=2),
                        evaluation_planned_at=clock.now() + timedelta(days=13))
    tender_submit(actor=agency, tender=other)
    tender_review(actor=centre, tender=other, approve=True)

    def ids(**params):
        return [item["id"] for item in anon.get("/api/tenders/", params).json()["results"]]

    assert set(ids()) == {published_tender.pk, other.pk}
    assert ids(q="家具") == [other.pk]
    assert ids(category="works") == [published_tender.pk]
    assert ids(method="negotiation") == [other.pk]
    assert ids(ordering="deadline") == [other.pk, published_tender.pk]
    assert ids(ordering="-deadline") == [published_tender.pk, other.pk]
    assert set(ids(open_only="true")) == {published_tender.pk, other.pk}
    today = timezone.localdate(clock.now())  # the filter takes Beijing dates; UTC is a day behind after 16:00
    assert ids(published_from=str(today + timedelta(days=1))) == []
    assert set(ids(published_to=str(today + timedelta(days=1)))) == {published_tender.pk, other.pk}


@pytest.mark.parametrize("params, field", [
    ({"category": "spaceships"}, "category"),
    ({"published_from": "yesterday"}, "published_from"),
    ({"ordering": "random"}, "ordering"),
    ({"published_from": "2025-03-02", "published_to": "2025-03-01"}, "published_to"),
])
def test_list_refuses_unreadable_filters_naming_them(anon, db, params, field):
    response = anon.get("/api/tenders/", params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]


def test_detail_gives_lots_timeline_documents_and_clarifications(anon, agency, published_tender):
    clarification_publish(actor=agency, tender=published_tender, title="关于工期的澄清", body="工期改为180日历天。",
                          upload=SimpleUploadedFile("澄清.pdf", b"%PDF-1.4 clarification"),
                          new_deadline=published_tender.bid_deadline + timedelta(days=1))

    response = anon.get(f"/api/tenders/{published_tender.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == published_tender.reference
    assert body["lots"] == [{"number": 1, "name": "第1标段", "budget": "3000000.00", "ceiling_price": "2850000.00",
                             "description": ""}]
    assert body["timeline"]["decryption_window_minutes"] == 30
    assert body["timeline"]["published_at"].endswith("+08:00")
    versions = {doc["version"]: doc for doc in body["documents"]}
    assert set(versions) == {1, 2}
    original = versions[1]
    assert len(original["sha256"]) == 64 and original["size"] > 0
    assert original["download_url"].endswith(
        f"/tenders/{published_tender.pk}/documents/{original['id']}/download/")
    assert body["clarifications"][0]["title"] == "关于工期的澄清"
    assert body["clarifications"][0]["document"]["version"] == 2
    assert "review_note" not in body


def test_document_download_link_serves_the_file(anon, published_tender):
    url = anon.get(f"/api/tenders/{published_tender.pk}/").json()["documents"][0]["download_url"]

    response = anon.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_draft_is_hidden_from_the_public_and_other_agencies(anon, client_for, draft_tender):
    assert anon.get(f"/api/tenders/{draft_tender.pk}/").status_code == 404
    other_agency = client_for(actor_of("agency"))
    response = other_agency.get(f"/api/tenders/{draft_tender.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_draft_is_visible_to_the_agency_running_it(client_for, agency, draft_tender):
    response = client_for(agency).get(f"/api/tenders/{draft_tender.pk}/")

    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_unknown_tender_is_404(anon, db):
    assert anon.get("/api/tenders/999999/").status_code == 404
