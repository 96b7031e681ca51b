"""API tokens and the acting organisation."""

from __future__ import annotations

import secrets

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory, actor_of

PASSWORD = "Correct-Horse-42"  # tests.factories.UserFactory's password


def test_token_obtained_with_username_and_password_authenticates_requests(anon, agency):
    response = anon.post("/api/auth/token/", {"username": agency.user.username, "password": PASSWORD},
                         format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["user"] == agency.user.username
    assert body["organisations"] == [{"id": agency.organisation.pk, "name": agency.organisation.name,
                                      "kind": "agency", "status": "approved"}]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/agency/tenders/").status_code == 200


def test_wrong_password_gets_no_token(anon, agency):
    response = anon.post("/api/auth/token/", {"username": agency.user.username, "password": "wrong-password"},
                         format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "non_field_errors" in response.json()["fields"]
    assert not Token.objects.filter(user=agency.user).exists()


def test_agency_endpoints_need_authentication(anon, db):
    response = anon.get("/api/agency/tenders/")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_bad_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get("/api/agency/tenders/")

    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail", "fields"}


def test_revoked_token_stops_working(client_for, agency):
    client = client_for(agency)

    assert client.delete("/api/auth/token/").status_code == 204

    assert not Token.objects.filter(user=agency.user).exists()
    assert client.get("/api/agency/tenders/").status_code == 401


def test_token_requests_are_throttled_per_address(anon, agency, settings):
    settings.API_TOKEN_THROTTLE_RATE = "2/minute"
    body = {"username": agency.user.username, "password": "wrong-password"}
    # A fresh documentation address per run: the throttle counts in the shared cache (Redis in CI).
    address = {"REMOTE_ADDR": f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}:{secrets.token_hex(2)}"}

    codes = [anon.post("/api/auth/token/", body, format="json", **address).status_code for _ in range(3)]

    assert codes == [400, 400, 429]


@pytest.fixture
def agency_and_bidder_member(db):
    """One person who belongs to an agency and to a bidder."""
    agency_org = OrganisationFactory(kind=Organisation.Kind.AGENCY)
    bidder_org = OrganisationFactory(kind=Organisation.Kind.BIDDER)
    actor = actor_of("agency", organisation=agency_org)
    MembershipFactory(user=actor.user, organisation=bidder_org)
    return actor, agency_org, bidder_org


def test_header_chooses_which_of_my_organisations_i_act_for(client_for, agency_and_bidder_member):
    actor, agency_org, bidder_org = agency_and_bidder_member

    as_agency = client_for(actor, acting=agency_org.pk).get("/api/agency/tenders/")
    as_bidder = client_for(actor, acting=bidder_org.pk).get("/api/agency/tenders/")

    assert as_agency.status_code == 200
    assert as_bidder.status_code == 403
    assert as_bidder.json()["code"] == "permission_denied"


@pytest.mark.parametrize("path", ["/api/agency/tenders/", "/api/tenders/"])
def test_naming_an_organisation_i_do_not_belong_to_is_refused(client_for, agency, path):
    stranger = OrganisationFactory(kind=Organisation.Kind.AGENCY)

    response = client_for(agency, acting=stranger.pk).get(path)

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "X-Acting-Organisation" in body["fields"]
    assert "not a member" in body["detail"]


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "99999999999999999999999"])
def test_unreadable_acting_header_is_refused(client_for, agency, value):
    response = client_for(agency, acting=value).get("/api/agency/tenders/")

    assert response.status_code == 403


def test_inactive_membership_cannot_be_named(client_for, agency_and_bidder_member):
    actor, agency_org, bidder_org = agency_and_bidder_member
    actor.user.memberships.filter(organisation=bidder_org).update(is_active=False)

    assert client_for(actor, acting=bidder_org.pk).get("/api/agency/tenders/").status_code == 403


def test_anonymous_caller_cannot_name_an_organisation(anon, agency):
    response = anon.get("/api/tenders/", HTTP_X_ACTING_ORGANISATION=str(agency.organisation.pk))

    assert response.status_code == 403


def test_session_sign_in_works_for_the_api_and_keeps_the_chosen_organisation(agency_and_bidder_member):
    from accounts.middleware import ACTING_SESSION_KEY

    actor, agency_org, bidder_org = agency_and_bidder_member
    client = APIClient()
    client.force_login(actor.user)
    session = client.session
    session[ACTING_SESSION_KEY] = bidder_org.pk
    session.save()

    assert client.get("/api/agency/tenders/").status_code == 403  # acting as the bidder, as chosen on the site
    assert client.get("/api/agency/tenders/", HTTP_X_ACTING_ORGANISATION=str(agency_org.pk)).status_code == 200


def test_session_writes_need_the_csrf_token(agency, tender_body):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agency.user)

    response = client.post("/api/agency/tenders/", tender_body(), format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
