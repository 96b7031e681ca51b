"""The operator enrols organisations that do not register themselves, with a first administrator."""

import pytest
from django.core.management import CommandError, call_command

from accounts.credit_code import complete
from accounts.models import Membership, Organisation
from accounts.services import organisation_admin_create
from core.actor import Actor
from core.errors import DomainError
from tests.factories import OrganisationFactory
from witness.models import Event

pytestmark = pytest.mark.django_db


def test_enrol_command_creates_the_centre_and_mails_its_administrator_a_link(
        mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("enrol_organisation", kind="centre", name="青溪县公共资源交易中心",
                     credit_code=complete("12330523MB0000001"), admin_username="centre-admin",
                     admin_email="admin@centre.example.cn", admin_name="周敏")

    org = Organisation.objects.get(kind="centre")
    membership = Membership.objects.get(organisation=org)
    assert org.status == Organisation.Status.APPROVED
    assert membership.role == Membership.Role.ADMIN and not membership.user.has_usable_password()
    assert len(mailoutbox) == 1 and "/password/reset/" in mailoutbox[0].body
    assert list(Event.objects.values_list("action", flat=True)) == ["organisation.enrolled", "membership.added"]


def test_enrol_command_with_a_wrong_credit_code_says_which_character_and_saves_nothing():
    code = complete("12330523MB0000001")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(CommandError, match="18"):
        call_command("enrol_organisation", kind="regulator", name="青溪县发展和改革局", credit_code=wrong,
                     admin_username="reg", admin_email="reg@example.cn", admin_name="王磊")
    assert not Organisation.objects.exists() and not Event.objects.exists()


def test_a_second_first_administrator_is_refused():
    org = OrganisationFactory(kind="regulator")
    organisation_admin_create(actor=Actor.system(), organisation=org, username="a1", email="a1@example.cn",
                              full_name="甲")
    with pytest.raises(DomainError):
        organisation_admin_create(actor=Actor.system(), organisation=org, username="a2", email="a2@example.cn",
                                  full_name="乙")
    assert org.memberships.count() == 1


def test_only_the_centre_or_the_operator_may_create_a_first_administrator(agency):
    org = OrganisationFactory(kind="regulator")
    with pytest.raises(DomainError):
        organisation_admin_create(actor=agency, organisation=org, username="x", email="x@example.cn", full_name="丙")
    assert not org.memberships.exists()
