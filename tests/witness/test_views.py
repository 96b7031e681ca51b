"""The ledger pages and the live feed: who reads which events, and what one event shows."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from bidding.services import tender_review, tender_submit
from core import clock
from tests.factories import actor_of, make_tender
from witness.models import Event
from witness.services import event_record


def client_for(actor=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # assertions read the English texts
    if actor is not None:
        client.force_login(actor.user)
    return client


def published(agency, centre, **overrides):
    overrides.setdefault("start", clock.now() - timedelta(minutes=5))
    tender = make_tender(agency=agency, **overrides)
    tender_submit(actor=agency, tender=tender)
    return tender_review(actor=centre, tender=tender, approve=True)


def seqs(response) -> list[int]:
    return [row["event"].seq for row in response.context["rows"]]


@pytest.mark.django_db
def test_the_ledger_needs_a_signed_in_user():
    response = client_for().get(reverse("witness:event_list"))

    assert response.status_code == 302 and reverse("accounts:login") in response.url


@pytest.mark.django_db
def test_a_participant_sees_its_own_tenders_events_newest_first_and_not_others(agency, draft_tender):
    own = set(Event.objects.filter(tender_id=draft_tender.pk).values_list("seq", flat=True))
    other = make_tender(title="别家的项目")

    response = client_for(agency).get(reverse("witness:event_list"))

    shown = seqs(response)
    assert own <= set(shown)
    assert not set(Event.objects.filter(tender_id=other.pk).values_list("seq", flat=True)) & set(shown)
    assert shown == sorted(shown, reverse=True)


@pytest.mark.django_db
def test_the_tenderer_sees_the_events_its_agency_recorded_on_its_tender(tenderer, draft_tender):
    created = Event.objects.get(tender_id=draft_tender.pk, action="tender.created")

    response = client_for(tenderer).get(reverse("witness:event_list"))

    assert created.seq in seqs(response)


@pytest.mark.django_db
def test_the_centre_and_a_regulator_see_every_event_and_the_page_goes_live(centre, regulator, draft_tender):
    total = Event.objects.count()

    for watcher in (centre, regulator):
        response = client_for(watcher).get(reverse("witness:event_list"))
        assert response.context["page"].paginator.count == total
        assert response.context["live"] is True
        assert "js/ledger-live.js" in response.text


@pytest.mark.django_db
def test_a_participant_page_is_not_live(agency, draft_tender):
    response = client_for(agency).get(reverse("witness:event_list"))

    assert response.context["live"] is False
    assert "ledger-live.js" not in response.text


@pytest.mark.django_db
def test_filter_by_tender_and_by_action(agency, centre):
    first = published(agency, centre)
    second = published(agency, centre)
    client = client_for(centre)
    url = reverse("witness:event_list")

    by_tender = client.get(url, {"tender": first.pk})
    by_action = client.get(url, {"tender": first.pk, "action": "tender.approved"})

    assert set(seqs(by_tender)) == set(Event.objects.filter(tender_id=first.pk).values_list("seq", flat=True))
    assert second.reference not in by_tender.text
    assert first.reference in by_tender.text  # the tender named above the list
    assert [row["event"].action for row in by_action.context["rows"]] == ["tender.approved"]


@pytest.mark.django_db
def test_a_tenders_ledger_is_refused_to_those_who_may_not_read_it(agency, centre, draft_tender):
    url = reverse("witness:event_list")
    tender = published(agency, centre)

    assert client_for(actor_of("agency")).get(url, {"tender": draft_tender.pk}).status_code == 404
    assert client_for(centre).get(url, {"tender": draft_tender.pk}).status_code == 404  # a draft is not the centre's
    assert client_for(actor_of("bidder")).get(url, {"tender": tender.pk}).status_code == 403
    assert client_for(agency).get(url, {"tender": "abc"}).status_code == 404


@pytest.mark.django_db
def test_rows_link_their_subject_to_its_page(agency, draft_tender):
    response = client_for(agency).get(reverse("witness:event_list"))

    created = next(row for row in response.context["rows"] if row["event"].action == "tender.created")
    uploaded = next(row for row in response.context["rows"] if row["event"].action == "document.uploaded")
    assert created["subject_url"] == reverse("bidding:tender_detail", args=[draft_tender.pk])
    assert uploaded["subject_url"] == reverse("bidding:tender_detail", args=[draft_tender.pk]) + "#documents"
    assert f'href="{created["subject_url"]}"' in response.text


@pytest.mark.django_db
def test_an_organisation_subject_links_only_for_the_centre_and_regulators(agency, centre):
    event = event_record(actor=centre, action="organisation.approved", subject=agency.organisation)

    as_centre = client_for(centre).get(reverse("witness:event_detail", args=[event.seq]))
    as_agency = client_for(agency).get(reverse("witness:event_detail", args=[event.seq]))

    assert as_centre.context["subject_url"] == reverse("accounts:organisation_review", args=[agency.organisation.pk])
    assert as_agency.status_code == 200 and as_agency.context["subject_url"] is None


@pytest.mark.django_db
def test_an_event_page_shows_every_field_the_data_and_both_hashes(agency, draft_tender):
    event = Event.objects.get(tender_id=draft_tender.pk, action="tender.created")

    response = client_for(agency).get(reverse("witness:event_detail", args=[event.seq]))

    assert response.status_code == 200
    for text in (event.hash, event.prev_hash, event.ip, event.actor_name, event.organisation_name, event.action):
        assert text in response.text
    assert escape(json.dumps({"title": event.data["title"]}, ensure_ascii=False)[1:-1]) in response.text


@pytest.mark.django_db
def test_an_outsider_cannot_open_another_organisations_event(draft_tender):
    event = Event.objects.filter(tender_id=draft_tender.pk).first()

    assert client_for(actor_of("bidder")).get(reverse("witness:event_detail", args=[event.seq])).status_code == 404
    assert client_for(actor_of("agency")).get(reverse("witness:event_detail", args=[999999])).status_code == 404


# --- the live feed ----------------------------------------------------------------------------------

def _session_headers(actor) -> list[tuple[bytes, bytes]]:
    client = client_for(actor)
    return [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
            (b"origin", b"http://testserver")]


def _record(actor) -> int:
    with transaction.atomic():
        event = event_record(actor=actor, action="organisation.updated", subject=actor.organisation,
                             data={"note": "live feed test"})
    return event.seq


@pytest_asyncio.fixture
async def close_db_after():
    """database_sync_to_async keeps a connection in its worker thread; close it so the test database can go."""
    yield
    from django.db import connections

    await database_sync_to_async(connections.close_all)()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_db_after")
async def test_a_regulator_receives_an_event_recorded_after_connecting():
    from config.asgi import application

    regulator = await database_sync_to_async(actor_of)("regulator")
    headers = await database_sync_to_async(_session_headers)(regulator)
    communicator = WebsocketCommunicator(application, "/ws/ledger/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected

    seq = await database_sync_to_async(_record)(regulator)

    # Other processes may share the channel layer (Redis in CI): wait for our event.
    received = None
    deadline = asyncio.get_running_loop().time() + 10
    while asyncio.get_running_loop().time() < deadline:
        message = await communicator.receive_json_from(timeout=10)
        if message["seq"] == seq:
            received = message
            break
    await communicator.disconnect()
    assert received is not None
    assert received["action"] == "organisation.updated" and received["role"] == "regulator"


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("close_db_after")
async def test_a_bidders_connection_is_refused():
    from config.asgi import application

    bidder = await database_sync_to_async(actor_of)("bidder")
    headers = await database_sync_to_async(_session_headers)(bidder)
    communicator = WebsocketCommunicator(application, "/ws/ledger/", headers=headers)

    connected, code = await communicator.connect()

    assert not connected and code == 4403


@pytest.mark.django_db
def test_an_unknown_or_malformed_action_filter_shows_nothing_and_no_error(centre, draft_tender):
    response = client_for(centre).get(reverse("witness:event_list"), {"action": "no.such\x00action"})

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "No events to show." in response.text


@pytest.mark.django_db
def test_the_ledger_names_each_action_in_words_and_filters_by_it(regulator, draft_tender):
    client = client_for(regulator)

    page = client.get(reverse("witness:event_list"), {"action": "document.uploaded"})

    text = page.content.decode()
    assert "Tender document uploaded" in text and "document.uploaded" in text
    assert "tender.created" not in text.split("<tbody>")[1]
