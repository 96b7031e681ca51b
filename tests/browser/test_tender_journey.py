"""One journey through real pages in Chromium: an agency creates and files a tender, the trading
centre approves it, and a visitor finds it on the public notice page, in Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bidding.models import Tender, TenderStatus
from core import clock
from tests.browser.people import local, person, sign_in
from witness.verify import chain_verify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "安吉县递铺街道老旧小区改造工程"


def test_agency_files_centre_approves_visitor_finds_it(live_server, new_page, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    agency_user, _ = person("agency", "浙江诚信招标代理有限公司")
    _, tenderer = person("tenderer", "安吉县递铺街道办事处")
    centre_user, _ = person("centre", "安吉县公共资源交易中心")

    # Given an agency officer signed in, when she fills in the tender form with one lot …
    agency = new_page()
    sign_in(agency, live_server, agency_user)
    agency.goto(f"{live_server.url}/tenders/new/")
    start = clock.now() + timedelta(hours=1)
    agency.fill("input[name=title]", TITLE)
    agency.select_option("select[name=category]", "works")
    agency.select_option("select[name=method]", "open")
    agency.select_option("select[name=tenderer]", str(tenderer.pk))
    agency.fill("input[name=budget]", "5600000.00")
    agency.fill("input[name=publish_at]", local(start))
    agency.fill("input[name=clarification_deadline]", local(start + timedelta(days=12)))
    agency.fill("input[name=bid_deadline]", local(start + timedelta(days=22)))
    agency.fill("input[name=evaluation_planned_at]", local(start + timedelta(days=23)))
    agency.fill("input[name='lots-0-name']", "第一标段：道路及管网")
    agency.fill("input[name='lots-0-budget']", "5600000.00")
    agency.fill("input[name='lots-0-ceiling_price']", "5320000.00")
    agency.locator("form.stacked button[type=submit].primary").first.click()
    agency.wait_for_load_state()

    # … then the tender exists as her draft, and she uploads the documents and files it.
    tender = Tender.objects.get(title=TITLE)
    assert tender.status == TenderStatus.DRAFT
    assert agency.url.rstrip("/").endswith(f"/tenders/{tender.pk}")
    document = tmp_path / "招标文件.pdf"
    document.write_bytes(b"%PDF-1.4\n% tender documents for the browser journey\n")
    upload_panel = agency.locator(f"details:has(form[action='/tenders/{tender.pk}/documents/'])")
    if upload_panel.get_attribute("open") is None:
        upload_panel.locator("summary").click()
    agency.set_input_files("input[name=file]", str(document))
    agency.locator(f"form[action='/tenders/{tender.pk}/documents/'] button[type=submit]").click()
    agency.wait_for_load_state()
    agency.locator(f"form[action='/tenders/{tender.pk}/submit/'] button[type=submit]").click()
    agency.wait_for_load_state()
    tender.refresh_from_db()
    assert tender.status == TenderStatus.SUBMITTED

    # When the trading centre finds it in its review queue and approves it …
    centre = new_page()
    sign_in(centre, live_server, centre_user)
    centre.goto(f"{live_server.url}/review/")
    centre.locator(f"a[href='/tenders/{tender.pk}/']").first.click()
    centre.wait_for_load_state()
    centre.locator("button[name=decision][value=approve]").click()
    centre.wait_for_load_state()
    tender.refresh_from_db()
    assert tender.status == TenderStatus.PUBLISHED

    # … then, once its publication time has come, a visitor finds it on the public notice page in Chinese.
    Tender.objects.filter(pk=tender.pk).update(published_at=clock.now() - timedelta(minutes=1))
    visitor = new_page()
    visitor.goto(f"{live_server.url}/tenders/")
    assert visitor.locator("html").get_attribute("lang") == "zh-hans"
    visitor.fill("input[name=q]", "老旧小区")
    visitor.locator("form.filters button[type=submit]").click()
    visitor.wait_for_load_state()
    row = visitor.locator("table tbody tr", has_text=TITLE)
    assert row.count() == 1
    assert "5,600,000.00 元" in row.inner_text()
    assert "招标公告" in visitor.locator("header").inner_text()
    row.locator("a").first.click()
    visitor.wait_for_load_state()
    body = visitor.locator("main").inner_text()
    assert "第一标段：道路及管网" in body and "5,320,000.00 元" in body
    assert "招标文件.pdf" in body
    visitor.screenshot(path=str(tmp_path / "notice.png"), full_page=True)
    assert chain_verify().ok
