"""The people and organisation pages: sign-in, registration, organisation, keys, switching, review queue, home."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core import mail
from django.urls import reverse

from accounts.credit_code import complete
from accounts.middleware import ACTING_SESSION_KEY
from accounts.models import Membership, Organisation, PublicKey, User
from accounts.services import key_register
from bidding.services import tender_review, tender_submit
from core import clock
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, actor_of
from witness.models import Event

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"


@pytest.fixture
def client(client):
    """A browser that asks for English, so the assertions read the source strings."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client




def signed_in(client, actor):
    client.force_login(actor.user)
    return client


def text(response) -> str:
    return response.content.decode()


def public_pem(private) -> str:
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def registration_data(**overrides) -> dict:
    data = {
        "kind": "bidder", "name": "安吉县竹海建设有限公司", "credit_code": complete("91330523MA2B3C4D5"),
        "region": "浙江省/湖州市/安吉县", "address": "递铺街道 1 号", "legal_representative": "张三",
        "contact_phone": "0572-5123456", "username": "zhuhai", "full_name": "李四", "email": "lisi@example.cn",
        "password1": "Bamboo-Sea-2024!", "password2": "Bamboo-Sea-2024!",
    }
    data.update(overrides)
    return data


# --- sign-in, sign-out, password reset ---------------------------------------------------------------------

def test_a_member_signs_in_and_out(client, bidder):
    response = client.post(reverse("accounts:login"), {"username": bidder.user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == bidder.user

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_a_wrong_password_shows_the_form_again(client, bidder):
    response = client.post(reverse("accounts:login"), {"username": bidder.user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "form-errors" in text(response)
    assert not response.wsgi_request.user.is_authenticated


def test_sign_out_by_get_is_refused(client, bidder):
    signed_in(client, bidder)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_password_reset_sends_a_link_that_sets_a_new_password(client, bidder):
    # given a member who forgot the password
    response = client.post(reverse("accounts:password_reset"), {"email": bidder.user.email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    # then an e-mail with a one-time link is sent
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[0].body).group(1)
    # when the member follows it and chooses a new password
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    assert "new_password1" in text(response)
    response = client.post(form_url, {"new_password1": "A-Brand-New-Secret-9", "new_password2": "A-Brand-New-Secret-9"})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    # then the new password works
    bidder.user.refresh_from_db()
    assert bidder.user.check_password("A-Brand-New-Secret-9")


def test_a_used_reset_link_no_longer_works(client, bidder):
    client.post(reverse("accounts:password_reset"), {"email": bidder.user.email})
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    client.post(response.redirect_chain[-1][0], {"new_password1": "A-Brand-New-Secret-9",
                                                 "new_password2": "A-Brand-New-Secret-9"})
    response = client.get(link, follow=True)
    assert "This link no longer works" in text(response)


# --- registration ---------------------------------------------------------------------------------------------

def test_registration_creates_a_pending_organisation_and_signs_its_administrator_in(client):
    response = client.post(reverse("accounts:register"), registration_data())
    assert response["Location"] == reverse("accounts:registered")
    org = Organisation.objects.get(name="安吉县竹海建设有限公司")
    assert org.status == Organisation.Status.PENDING
    assert org.memberships.get().role == Membership.Role.ADMIN
    response = client.get(reverse("accounts:registered"))
    assert response.wsgi_request.user.username == "zhuhai"
    assert "The trading centre will review" in text(response)
    assert client.session[ACTING_SESSION_KEY] == org.pk


def test_a_wrong_check_character_saves_nothing_and_names_character_18(client):
    code = complete("91330523MA2B3C4D5")
    wrong = code[:17] + ("1" if code[17] != "1" else "2")
    before = (Organisation.objects.count(), User.objects.count(), Event.objects.count())

    response = client.post(reverse("accounts:register"), registration_data(credit_code=wrong))

    assert response.status_code == 200
    assert (Organisation.objects.count(), User.objects.count(), Event.objects.count()) == before
    assert response.context["form"].errors["credit_code"][0].startswith("Character 18")
    page = text(response)
    field_html = page[page.index('id="id_credit_code"'):]
    assert "Character 18" in field_html[: field_html.index("</div>") + 400]
    assert not response.wsgi_request.user.is_authenticated


def test_registration_with_different_passwords_saves_nothing(client):
    response = client.post(reverse("accounts:register"), registration_data(password2="Something-Else-77"))
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_registration_with_a_taken_user_name_names_the_field(client, bidder):
    response = client.post(reverse("accounts:register"), registration_data(username=bidder.user.username))
    assert "username" in response.context["form"].errors
    assert not Organisation.objects.filter(name="安吉县竹海建设有限公司").exists()


def test_a_pending_organisation_signs_in_and_sees_its_status_but_cannot_act(client):
    pending = actor_of("bidder", status=Organisation.Status.PENDING)
    signed_in(client, pending)
    response = client.get(reverse("home"))
    assert "Registration status" in text(response) and "Awaiting review" in text(response)
    response = client.post(reverse("accounts:key_register"), {
        "purpose": "sealing", "label": "main", "public_key_pem": public_pem(ec.generate_private_key(ec.SECP256R1()))})
    assert response.status_code == 302
    assert not PublicKey.objects.exists()


def test_a_rejected_organisation_sees_the_review_note(client):
    rejected = actor_of("agency", status=Organisation.Status.REJECTED)
    Organisation.objects.filter(pk=rejected.organisation.pk).update(review_note="营业执照照片不清晰")
    signed_in(client, rejected)
    assert "营业执照照片不清晰" in text(client.get(reverse("accounts:organisation")))
    assert "营业执照照片不清晰" in text(client.get(reverse("home")))


# --- organisation page: members and keys ------------------------------------------------------------------------

def test_the_organisation_page_shows_profile_members_and_the_private_key_sentence(client, bidder):
    colleague = MembershipFactory(organisation=bidder.organisation, role=Membership.Role.STAFF)
    response = signed_in(client, bidder).get(reverse("accounts:organisation"))
    page = text(response)
    assert bidder.organisation.credit_code in page
    assert colleague.user.username in page
    assert "private key never leaves your organisation's computer" in page


def test_an_administrator_adds_a_member_who_gets_a_set_password_link(client, bidder,
                                                                     django_capture_on_commit_callbacks):
    signed_in(client, bidder)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:member_add"), {
            "username": "wangwu", "full_name": "王五", "email": "wangwu@example.cn", "role": "staff"})
    assert response.status_code == 302
    user = User.objects.get(username="wangwu")
    assert not user.has_usable_password()
    assert user.memberships.get().organisation == bidder.organisation
    assert len(mail.outbox) == 1 and "wangwu@example.cn" in mail.outbox[0].to
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert "new_password1" in text(response)


def test_a_staff_member_cannot_add_members(client):
    staff = actor_of("bidder", role=Membership.Role.STAFF)
    response = signed_in(client, staff).post(reverse("accounts:member_add"), follow=True, data={
        "username": "wangwu", "full_name": "王五", "email": "wangwu@example.cn", "role": "staff"})
    assert response.status_code == 200
    assert "Only an administrator" in text(response)
    assert not User.objects.filter(username="wangwu").exists()


def test_a_sealing_key_is_registered_and_listed_with_its_fingerprint_in_groups(client, bidder):
    signed_in(client, bidder)
    response = client.post(reverse("accounts:key_register"), {
        "purpose": "sealing", "label": "主密钥", "public_key_pem": public_pem(ec.generate_private_key(ec.SECP256R1()))})
    assert response.status_code == 302
    key = PublicKey.objects.get(organisation=bidder.organisation)
    page = text(client.get(reverse("accounts:organisation")))
    assert "EC-P256" in page
    assert "".join(f"<span>{key.fingerprint.upper()[i:i + 4]}</span>" for i in range(0, 64, 4)) in page


@pytest.mark.parametrize("fmt", [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL])
def test_a_pasted_private_key_is_refused_and_nothing_is_saved(client, bidder, fmt):
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()
    response = signed_in(client, bidder).post(reverse("accounts:key_register"), {
        "purpose": "sealing", "label": "oops", "public_key_pem": pem})
    assert response.status_code == 200
    assert "This is a private key" in response.context["key_form"].errors["public_key_pem"][0]
    assert not PublicKey.objects.exists()


def test_an_rsa_sealing_key_is_refused_with_the_service_message(client, bidder):
    pem = public_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    response = signed_in(client, bidder).post(reverse("accounts:key_register"), {
        "purpose": "sealing", "label": "rsa", "public_key_pem": pem})
    assert "must be an elliptic-curve P-256 key" in text(response)
    assert not PublicKey.objects.exists()


def test_a_key_is_revoked_with_a_reason(client, bidder):
    key = key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="old",
                       pem=public_pem(ec.generate_private_key(ec.SECP256R1())))
    signed_in(client, bidder)
    client.post(reverse("accounts:key_revoke", args=[key.pk]), {"reason": ""})
    key.refresh_from_db()
    assert key.status == PublicKey.Status.ACTIVE
    client.post(reverse("accounts:key_revoke", args=[key.pk]), {"reason": "U 盘遗失"})
    key.refresh_from_db()
    assert key.status == PublicKey.Status.REVOKED and key.revocation_reason == "U 盘遗失"


def test_another_organisations_key_cannot_be_revoked(client, bidder):
    other = actor_of("bidder")
    key = key_register(actor=other, organisation=other.organisation, purpose="sealing", label="theirs",
                       pem=public_pem(ec.generate_private_key(ec.SECP256R1())))
    response = signed_in(client, bidder).post(reverse("accounts:key_revoke", args=[key.pk]),
                                              {"reason": "malice"}, follow=True)
    assert "belongs to another organisation" in text(response)
    key.refresh_from_db()
    assert key.status == PublicKey.Status.ACTIVE


# --- switching organisation --------------------------------------------------------------------------------------

def test_a_member_of_two_organisations_switches_between_them(client, bidder):
    second = OrganisationFactory(kind=Organisation.Kind.AGENCY)
    MembershipFactory(user=bidder.user, organisation=second)
    signed_in(client, bidder)
    response = client.post(reverse("accounts:switch_organisation"), {"organisation": second.pk})
    assert response.status_code == 302
    assert client.session[ACTING_SESSION_KEY] == second.pk
    assert client.get(reverse("home")).wsgi_request.actor.organisation == second


@pytest.mark.parametrize("value", ["other", "999999", "abc", ""])
def test_switching_to_someone_elses_organisation_is_refused(client, bidder, value):
    own_second = OrganisationFactory(kind=Organisation.Kind.AGENCY)
    MembershipFactory(user=bidder.user, organisation=own_second)
    other = OrganisationFactory(kind=Organisation.Kind.CENTRE)
    signed_in(client, bidder)
    session = client.session
    session[ACTING_SESSION_KEY] = bidder.organisation.pk
    session.save()
    response = client.post(reverse("accounts:switch_organisation"),
                           {"organisation": other.pk if value == "other" else value}, follow=True)
    assert "You are not a member of that organisation" in text(response)
    assert client.session[ACTING_SESSION_KEY] == bidder.organisation.pk
    assert response.wsgi_request.actor.organisation == bidder.organisation


# --- the trading centre's review queue ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["bidder", "tenderer", "agency", "regulator"])
def test_the_review_queue_is_forbidden_to_every_role_but_the_centre(client, kind):
    response = signed_in(client, actor_of(kind)).get(reverse("accounts:review_queue"))
    assert response.status_code == 403
    assert "Only the trading centre" in text(response)


def test_a_centre_awaiting_approval_itself_gets_403(client):
    pending_centre = actor_of("centre", status=Organisation.Status.PENDING)
    assert signed_in(client, pending_centre).get(reverse("accounts:review_queue")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("accounts:review_queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_centre_sees_pending_registrations_and_tenders_awaiting_filing(client, centre, draft_tender, agency):
    applicant = OrganisationFactory(status=Organisation.Status.PENDING, name="待审核科技有限公司")
    tender_submit(actor=agency, tender=draft_tender)
    page = text(signed_in(client, centre).get(reverse("accounts:review_queue")))
    assert applicant.name in page and applicant.credit_code in page
    assert reverse("bidding:tender_detail", args=[draft_tender.pk]) in page


def test_the_centre_approves_a_registration(client, centre):
    applicant = OrganisationFactory(status=Organisation.Status.PENDING)
    signed_in(client, centre).post(reverse("accounts:organisation_review", args=[applicant.pk]),
                                   {"decision": "approve"})
    applicant.refresh_from_db()
    assert applicant.status == Organisation.Status.APPROVED
    assert Event.objects.filter(action="organisation.approved", subject_id=str(applicant.pk)).exists()


def test_rejecting_without_a_reason_is_refused_and_changes_nothing(client, centre):
    applicant = OrganisationFactory(status=Organisation.Status.PENDING)
    response = signed_in(client, centre).post(reverse("accounts:organisation_review", args=[applicant.pk]),
                                              {"decision": "reject", "note": "  "}, follow=True)
    assert "Give the reason for rejecting" in text(response)
    applicant.refresh_from_db()
    assert applicant.status == Organisation.Status.PENDING


def test_the_centre_rejects_a_registration_with_a_reason(client, centre):
    applicant = OrganisationFactory(status=Organisation.Status.PENDING)
    signed_in(client, centre).post(reverse("accounts:organisation_review", args=[applicant.pk]),
                                   {"decision": "reject", "note": "信用代码与营业执照不符"})
    applicant.refresh_from_db()
    assert applicant.status == Organisation.Status.REJECTED
    assert applicant.review_note == "信用代码与营业执照不符"


@pytest.mark.parametrize("kind", ["bidder", "tenderer", "agency", "regulator"])
def test_other_roles_cannot_review_a_registration(client, kind):
    applicant = OrganisationFactory(status=Organisation.Status.PENDING)
    response = signed_in(client, actor_of(kind)).post(
        reverse("accounts:organisation_review", args=[applicant.pk]), {"decision": "approve"})
    assert response.status_code == 403
    applicant.refresh_from_db()
    assert applicant.status == Organisation.Status.PENDING


# --- the role-aware home page -----------------------------------------------------------------------------------

@pytest.fixture
def published_tender(draft_tender, agency, centre, monkeypatch):
    tender_submit(actor=agency, tender=draft_tender)
    tender = tender_review(actor=centre, tender=draft_tender, approve=True)
    later = tender.published_at + timedelta(minutes=5)
    monkeypatch.setattr(clock, "now", lambda: later)
    return tender


def test_anonymous_visitors_see_the_latest_notices_and_calls_to_action(client, published_tender):
    page = text(client.get(reverse("home")))
    assert reverse("bidding:tender_detail", args=[published_tender.pk]) in page
    assert reverse("accounts:register") in page and reverse("accounts:login") in page


def test_a_bidder_sees_tenders_open_for_bids_and_its_own_activity(client, bidder, published_tender):
    key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="main",
                 pem=public_pem(ec.generate_private_key(ec.SECP256R1())))
    page = text(signed_in(client, bidder).get(reverse("home")))
    assert published_tender.title in page
    assert "key.registered" in page
    assert "tender.approved" not in page


def test_an_agency_sees_its_projects_with_the_next_step_and_a_create_button(client, agency, draft_tender):
    page = text(signed_in(client, agency).get(reverse("home")))
    assert draft_tender.title in page
    assert "Submit for filing review." in page
    assert reverse("bidding:tender_create") in page


def test_the_centre_sees_counts_and_links_to_the_queue_and_calendar(client, centre):
    OrganisationFactory(status=Organisation.Status.PENDING)
    response = signed_in(client, centre).get(reverse("home"))
    assert response.context["organisations_pending"] == 1
    assert reverse("accounts:review_queue") in text(response)
    assert reverse("workdays:calendar") in text(response)


def test_the_regulator_sees_tenders_by_stage_and_the_ledger(client, regulator, published_tender):
    response = signed_in(client, regulator).get(reverse("home"))
    stages = {value: count for value, _label, count in response.context["stages"]}
    assert stages["published"] == 1
    assert reverse("witness:event_list") in text(response)
    assert "tender.approved" in text(response)


def test_a_person_without_an_organisation_gets_plain_pages(client):
    client.force_login(UserFactory())
    assert "not a member of any organisation" in text(client.get(reverse("home")))
    assert "not a member of any organisation" in text(client.get(reverse("accounts:organisation")))
    assert client.get(reverse("accounts:review_queue")).status_code == 403


def test_sign_in_sign_out_and_a_failed_attempt_are_witnessed_with_the_address(client, bidder):
    from witness.models import Event

    bidder.user.set_password("Correct-Horse-42")
    bidder.user.save()
    client.post(reverse("accounts:login"), {"username": bidder.user.username, "password": "wrong"},
                REMOTE_ADDR="198.51.100.4")
    client.post(reverse("accounts:login"), {"username": bidder.user.username, "password": "Correct-Horse-42"},
                REMOTE_ADDR="198.51.100.4")
    client.post(reverse("accounts:logout"), REMOTE_ADDR="198.51.100.4")

    events = list(Event.objects.filter(action__startswith="user.").order_by("seq"))
    assert [e.action for e in events] == ["user.sign_in_failed", "user.signed_in", "user.signed_out"]
    assert all(e.ip == "198.51.100.4" for e in events)
    assert events[1].organisation_id == bidder.organisation.pk and events[1].actor_id == bidder.user.pk
