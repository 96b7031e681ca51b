"""Self-registration, the centre's review, and administrators adding colleagues."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.models import Membership, Organisation, User
from accounts.services import member_add, organisation_register, organisation_review
from core.errors import DomainError, IllegalTransition, PermissionDenied
from tests.factories import OrganisationFactory, UserFactory, actor_of, credit_code
from witness.models import Event
from witness.verify import chain_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield




def registration(**overrides) -> dict:
    data = dict(name="安吉县竹木制品有限公司", credit_code_value=credit_code(), kind=Organisation.Kind.BIDDER,
                username="zhangsan", password="Bamboo-Forest-2026", email="zhangsan@example.cn",
                full_name="张三", region="浙江省/湖州市/安吉县", contact_phone="13800000000", ip="198.51.100.4")
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int, int]:
    return Organisation.objects.count(), User.objects.count(), Membership.objects.count(), Event.objects.count()


# --- self-registration ---------------------------------------------------------------------------------------

def test_registration_makes_a_pending_organisation_its_admin_and_an_event():
    # when a supplier registers itself
    org = organisation_register(**registration())
    # then the organisation waits for review, the person is its administrator, and the act is witnessed
    assert org.status == Organisation.Status.PENDING
    membership = Membership.objects.get(organisation=org)
    assert membership.role == Membership.Role.ADMIN
    assert membership.user.username == "zhangsan"
    assert membership.user.check_password("Bamboo-Forest-2026")
    event = Event.objects.get(action="organisation.registered")
    assert event.subject_id == str(org.pk)
    assert event.actor_id == membership.user.pk
    assert event.ip == "198.51.100.4"
    assert event.data["credit_code"] == org.credit_code
    assert chain_verify().ok


@pytest.mark.parametrize("overrides, field", [
    pytest.param({"credit_code_value": "91350100M000100Y44"}, "credit_code", id="bad-check-character"),
    pytest.param({"credit_code_value": "91350100M00010"}, "credit_code", id="short-credit-code"),
    pytest.param({"password": "12345678"}, "password", id="weak-password"),
    pytest.param({"password": "zhangsan2026"}, "password", id="password-like-username"),
    pytest.param({"email": "not-an-address"}, "email", id="bad-email"),
    pytest.param({"full_name": "  "}, "full_name", id="no-full-name"),
    pytest.param({"name": ""}, "name", id="no-organisation-name"),
])
def test_bad_registration_saves_nothing(overrides, field):
    # given the counts before
    before = counts()
    # when a registration with one bad field is sent
    with pytest.raises(DomainError) as caught:
        organisation_register(**registration(**overrides))
    # then the error names the field and nothing was saved
    assert field in caught.value.fields
    assert counts() == before


def test_duplicate_credit_code_saves_nothing_and_says_ask_the_admin():
    # given an organisation already registered with a code
    existing = OrganisationFactory()
    before = counts()
    # when another registration uses the same code (typed in lower case)
    with pytest.raises(DomainError) as caught:
        organisation_register(**registration(credit_code_value=existing.credit_code.lower(), username="lisi"))
    # then it is refused as a duplicate, naming the code, and nothing was saved
    assert caught.value.code == "duplicate"
    assert existing.credit_code in str(caught.value)
    assert "administrator" in str(caught.value)
    assert counts() == before


def test_taken_username_saves_nothing():
    # given a user "Zhangsan" already exists
    UserFactory(username="Zhangsan")
    before = counts()
    # when a registration picks the same name in another case
    with pytest.raises(DomainError) as caught:
        organisation_register(**registration(username="zhangsan"))
    # then the user name is refused and no organisation was left behind
    assert "taken" in caught.value.fields["username"][0]
    assert counts() == before


@pytest.mark.parametrize("kind", [Organisation.Kind.REGULATOR, Organisation.Kind.CENTRE])
def test_regulators_and_the_centre_cannot_self_register(kind):
    before = counts()
    with pytest.raises(DomainError) as caught:
        organisation_register(**registration(kind=kind))
    assert "kind" in caught.value.fields
    assert counts() == before


@pytest.mark.parametrize("kind", [Organisation.Kind.BIDDER, Organisation.Kind.TENDERER, Organisation.Kind.AGENCY])
def test_bidders_tenderers_and_agencies_self_register(kind):
    org = organisation_register(**registration(kind=kind))
    assert org.kind == kind and org.status == Organisation.Status.PENDING


# --- the centre's review ---------------------------------------------------------------------------------------

@pytest.fixture
def pending_org():
    return organisation_register(**registration())


@pytest.mark.parametrize("kind", ["bidder", "tenderer", "agency", "regulator"])
def test_review_by_anyone_but_the_centre_is_refused(pending_org, kind):
    # given someone who is not the trading centre
    actor = actor_of(kind)
    before = Event.objects.count()
    # when they try to approve a pending registration, then they are refused and nothing changes
    with pytest.raises(PermissionDenied):
        organisation_review(actor=actor, organisation=pending_org, approve=True)
    pending_org.refresh_from_db()
    assert pending_org.status == Organisation.Status.PENDING
    assert Event.objects.count() == before


def test_rejection_needs_a_reason(pending_org, centre, mailoutbox, django_capture_on_commit_callbacks):
    before = Event.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(DomainError) as caught:
            organisation_review(actor=centre, organisation=pending_org, approve=False, note="  ")
    assert "note" in caught.value.fields
    pending_org.refresh_from_db()
    assert pending_org.status == Organisation.Status.PENDING
    assert Event.objects.count() == before
    assert mailoutbox == []


def test_rejection_with_a_reason_is_mailed_after_commit(pending_org, centre, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organisation_review(actor=centre, organisation=pending_org, approve=False, note="营业执照扫描件不清晰")
    pending_org.refresh_from_db()
    assert pending_org.status == Organisation.Status.REJECTED
    assert pending_org.review_note == "营业执照扫描件不清晰"
    assert len(mailoutbox) == 1
    assert "营业执照扫描件不清晰" in mailoutbox[0].body


def test_approval_sends_the_mail_only_after_commit(pending_org, centre, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    # when the centre approves
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        organisation_review(actor=centre, organisation=pending_org, approve=True)
        # then nothing is mailed while the transaction is open
    assert mailoutbox == []
    assert callbacks
    # and the mail goes to the contact address once the commit callbacks run
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["zhangsan@example.cn"]
    pending_org.refresh_from_db()
    assert pending_org.status == Organisation.Status.APPROVED
    assert pending_org.reviewed_by == centre.user
    event = Event.objects.get(action="organisation.approved")
    assert event.data == {"from": "pending", "to": "approved", "note": ""}
    assert event.organisation_id == centre.organisation.pk


def test_a_second_review_is_an_illegal_transition(pending_org, centre, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    # given an approved registration
    with django_capture_on_commit_callbacks(execute=True):
        organisation_review(actor=centre, organisation=pending_org, approve=True)
    before = Event.objects.count()
    # when the centre reviews it again (either way)
    for approve in (True, False):
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(IllegalTransition) as caught:
                organisation_review(actor=centre, organisation=pending_org, approve=approve, note="again")
        # then it is refused, naming the present state, and nothing is written or mailed
        assert "Approved" in str(caught.value)
    assert Event.objects.count() == before
    assert len(mailoutbox) == 1


# --- administrators add colleagues -------------------------------------------------------------------------------

def test_member_add_by_a_non_admin_is_refused(bidder):
    # given a staff member (not administrator) of an approved bidder
    staff = actor_of("bidder", organisation=bidder.organisation, role=Membership.Role.STAFF)
    before = counts()
    with pytest.raises(PermissionDenied):
        member_add(actor=staff, organisation=bidder.organisation, username="wangwu", email="wangwu@example.cn",
                   full_name="王五")
    assert counts() == before


def test_member_add_for_another_organisation_is_refused(bidder):
    other = OrganisationFactory()
    before = counts()
    with pytest.raises(PermissionDenied):
        member_add(actor=bidder, organisation=other, username="wangwu", email="wangwu@example.cn", full_name="王五")
    assert counts() == before


def test_member_add_makes_a_user_without_password_and_mails_a_link(bidder, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    # when the administrator adds a colleague
    with django_capture_on_commit_callbacks(execute=True):
        membership = member_add(actor=bidder, organisation=bidder.organisation, username="wangwu",
                                email="wangwu@example.cn", full_name="王五")
    # then the colleague has no usable password, a staff membership, and a mail with a set-password link
    user = membership.user
    assert not user.has_usable_password()
    assert membership.role == Membership.Role.STAFF
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["wangwu@example.cn"]
    assert "wangwu" in mailoutbox[0].body and "http" in mailoutbox[0].body
    event = Event.objects.get(action="membership.added")
    assert event.data == {"user": "wangwu", "role": "staff"}


def test_member_add_with_a_taken_username_saves_nothing(bidder, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(username="wangwu")
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(DomainError) as caught:
            member_add(actor=bidder, organisation=bidder.organisation, username="WangWu",
                       email="wangwu@example.cn", full_name="王五")
    assert "username" in caught.value.fields
    assert counts() == before
    assert mailoutbox == []
