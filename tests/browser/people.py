"""People for browser journeys: an organisation with one signed-up person, and signing in through the page."""

from __future__ import annotations

from django.utils import timezone

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

PASSWORD = "Correct-Horse-42"  # the factories' password


def person(kind: str, name: str):
    org = OrganisationFactory(kind=kind, name=name)
    user = UserFactory(full_name=f"{name}经办人")
    MembershipFactory(user=user, organisation=org)
    return user, org


def sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, page.content()[:2000]


def local(dt) -> str:
    """A datetime as a datetime-local input takes it, in the platform's time zone."""
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")
