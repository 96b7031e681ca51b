"""One journey in Chromium: the regulator records a finding with evidence, the agency states its defence,
the regulator issues a yellow card, and a visitor sees it on the public directory (晾晒), in Chinese."""

from __future__ import annotations

import pytest

from agencies.models import Card, Finding, FindingStatus
from tests.browser.people import person, sign_in
from witness.verify import chain_verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regulator_finds_agency_responds_yellow_card_is_public(live_server, new_page, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    regulator_user, _ = person("regulator", "安吉县发展和改革局")
    agency_user, agency_org = person("agency", "浙江诚信招标代理有限公司")

    # Given the regulator signed in, when she records a finding with its evidence …
    regulator = new_page()
    sign_in(regulator, live_server, regulator_user)
    regulator.goto(f"{live_server.url}/agencies/findings/new/")
    regulator.select_option("select[name=agency]", str(agency_org.pk))
    regulator.select_option("select[name=violation_type]", "procedure_breach")
    regulator.fill("textarea[name=description]", "开标时主持人未公布解密情况即进入唱标环节。")
    evidence = tmp_path / "开标录像截图.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% evidence for the browser journey\n")
    regulator.set_input_files("input[name=evidence]", str(evidence))
    regulator.locator("main form button[type=submit].primary").click()
    regulator.wait_for_load_state()
    finding = Finding.objects.get(agency=agency_org)
    assert finding.status == FindingStatus.NOTIFIED and finding.evidence.count() == 1

    # … then the agency finds it and states its defence.
    agency = new_page()
    sign_in(agency, live_server, agency_user)
    agency.goto(f"{live_server.url}/agencies/findings/")
    agency.locator(f"a[href='/agencies/findings/{finding.pk}/']").first.click()
    agency.wait_for_load_state()
    agency.fill("textarea[name=response]", "系网络波动所致，已加强主持人培训。")
    agency.locator(f"form[action='/agencies/findings/{finding.pk}/respond/'] button[type=submit]").click()
    agency.wait_for_load_state()
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RESPONDED

    # When the regulator decides with a yellow card …
    regulator.goto(f"{live_server.url}/agencies/findings/{finding.pk}/")
    regulator.check("input[name=decision][value=card]")
    regulator.select_option("select[name=colour]", "yellow")
    regulator.fill("textarea[name=note]", "开标程序违规事实清楚，给予黄牌警示。")
    regulator.locator(f"form[action='/agencies/findings/{finding.pk}/decide/'] button[type=submit]").click()
    regulator.wait_for_load_state()
    card = Card.objects.get(finding=finding)
    assert card.colour == "yellow"

    # … then a visitor sees the card and the lowered score on the public directory, in Chinese.
    visitor = new_page()
    visitor.goto(f"{live_server.url}/agencies/")
    assert visitor.locator("html").get_attribute("lang") == "zh-hans"
    row = visitor.locator("table tbody tr", has_text="浙江诚信招标代理有限公司")
    assert row.count() == 1
    assert row.locator(".badge-card-yellow").count() == 1
    assert "100" in row.inner_text()  # the deduction counts from tomorrow
    row.locator("a").first.click()
    visitor.wait_for_load_state()
    body = visitor.locator("main").inner_text()
    assert "开标程序违规事实清楚" in body
    visitor.screenshot(path=str(tmp_path / "directory.png"), full_page=True)
    assert chain_verify().ok
