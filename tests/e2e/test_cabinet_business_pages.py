"""The web cabinet's business pages in a real browser (issue 14 item 4): the organization's admin
opens the charges and «Расход средств», the call detail (period, direction, pages, the seed's empty
text) and the channel package (the 7-day rule's next date shown before trying, the refusal, then a
week later the review and the change). Same browser and stack as test_cabinet_in_a_browser.py,
whose `Cabinet` and fixtures it uses; screenshots in `test-results/<test name>/`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import BrowserType, expect

from tests.e2e.conftest import Stack, poll
from tests.e2e.test_cabinet_in_a_browser import Cabinet, browser, output  # noqa: F401 (fixtures)

ORG = "3003"
SIP = "sip-375170003003"
#: Seed 004's empty state of the call detail.
EMPTY_DETAIL = "За выбранный период не было входящего/исходящего трафика."


def _ready(stack: Stack) -> dict[str, str]:
    """The demo data, a day on (the demo's calls, made today, show in the current period «as of
    yesterday»), and invoicing and telephony knowing the organization (their facts via Kafka)."""
    stack.load_demo_data()
    stack.move_clock_to(datetime.now(UTC) + timedelta(days=1))
    admin = stack.login("a1-3003", "demo-admin-3003")
    api = f"{stack.urls['gateway']}/api/v1/accounts/{ORG}"
    charges = poll(lambda: httpx.get(f"{api}/charges", headers=admin),
                   lambda r: r.status_code == 200 and any(s["line_id"] == SIP for s in r.json()["subscribers"]))
    assert charges.status_code == 200 and charges.json()["subscribers"], charges.text
    calls = poll(lambda: httpx.get(f"{api}/lines/{SIP}/calls", headers=admin),
                 lambda r: r.status_code == 200 and r.json()["total"] > 20)
    assert calls.json()["total"] > 20, calls.text
    return admin


def test_the_org_admin_opens_charges_the_call_detail_and_the_channel_package(
        stack: Stack, browser: BrowserType, output: Path) -> None:  # noqa: F811
    admin = _ready(stack)
    calls_total = httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/{ORG}/lines/{SIP}/calls",
                            headers=admin).json()["total"]
    cabinet = Cabinet(browser, stack)
    cabinet.log_in("a1-3003", "demo-admin-3003")
    page = cabinet.page
    expect(page).to_have_url(re.compile(r"/cabinet/accounts$"))
    cabinet.open(f"/accounts/{ORG}")

    # Charges of this month per subscriber, each line with net, VAT rate, VAT, other tax and total.
    page.get_by_role("link", name="Начисления").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Начисления")
    sip = page.locator("section", has=page.get_by_role("heading", name=re.compile("375170003003")))
    expect(sip.get_by_role("columnheader", name="Ставка НДС")).to_be_visible()
    expect(sip.locator("tbody tr").first).to_contain_text("%")
    expect(page.locator("#charges-totals")).to_contain_text("Всего")
    expect(page.get_by_label("Месяц").locator("option")).to_have_count(3)  # this month and the two before
    cabinet.shot(output, "charges.png")
    page.get_by_role("link", name="Расход средств").click()
    expect(page.locator("#charges-history tbody tr").first).to_be_visible()

    # The subscriber cards: free minutes only on «SIP-соединение»; its call detail, 20 calls a page.
    page.get_by_role("link", name="Телефония").click()
    expect(page.locator(f"#free-{SIP}")).to_be_visible()
    expect(page.locator("#free-sip-375170003004")).to_have_count(0)
    page.locator("section", has=page.locator(f"#c-{SIP}")).get_by_role("link", name="Детализация звонков").click()
    expect(page).to_have_url(re.compile(rf"/lines/{SIP}/calls$"))
    expect(page.locator("#calls tbody tr")).to_have_count(20)
    expect(page.get_by_text(f"Показаны 1–20 из {calls_total}.")).to_be_visible()
    page.get_by_role("link", name="Следующие →").click()
    expect(page.get_by_text(re.compile(rf"Показаны 21–\d+ из {calls_total}\."))).to_be_visible()
    page.get_by_label("Направление", exact=True).select_option("out")
    page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(re.compile(r"direction=out"))
    expect(page.locator("#calls tbody tr td:nth-child(2)").first).to_have_text("Исходящие")
    cabinet.shot(output, "calls.png")
    # The oldest month offered (the sixth back): before the demo's history of five months, no calls.
    page.get_by_label("Период").select_option(index=6)
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("#calls")).to_have_text(EMPTY_DETAIL)

    # The channel package: changed by the demo today, so the next date is shown before trying.
    cabinet.open(f"/accounts/{ORG}/telephony")
    page.locator("section", has=page.locator(f"#c-{SIP}")).get_by_role("link", name="Пакет каналов").click()
    expect(page.locator("#current-package")).to_contain_text("20")
    expect(page.locator("#next-change")).to_contain_text("следующее изменение возможно с")
    page.locator('input[name="channels"][value="30"]').check()
    page.get_by_role("button", name="Проверить изменение").click()
    expect(page.locator("#e-channels")).to_have_text("⚠ Пакет каналов меняется не чаще раза в 7 дней.")
    cabinet.shot(output, "channels-refused.png")

    stack.move_clock_to(datetime.now(UTC) + timedelta(days=9))  # a week after the demo's change
    cabinet.open(f"/accounts/{ORG}/lines/{SIP}/channels")
    expect(page.locator("#next-change")).to_have_count(0)
    page.locator('input[name="channels"][value="30"]').check()
    page.get_by_role("button", name="Проверить изменение").click()
    expect(page.locator("#review")).to_contain_text("215,58")
    page.get_by_role("button", name="Подтвердить изменение").click()
    expect(page.get_by_role("status")).to_have_text("Пакет каналов изменён.")
    expect(page.locator("#current-package")).to_contain_text("215,58")
    expect(page.locator("#next-change")).to_be_visible()
    cabinet.shot(output, "channels.png")

    # SIP settings: the password masked; changed to a generated one, shown this once.
    cabinet.open(f"/accounts/{ORG}/telephony")
    page.locator("section", has=page.locator(f"#c-{SIP}")).get_by_role("link", name="Настройки SIP").click()
    expect(page.locator("#sip")).to_contain_text("********")
    page.get_by_role("button", name="Сменить пароль").click()
    expect(page.get_by_role("status")).to_have_text("Пароль SIP изменён.")
    expect(page.locator("#generated code")).to_have_text(re.compile(r"^\S{8,64}$"))
    page.reload()
    expect(page.locator("#generated")).to_have_count(0)

    # Invoices (none yet: the demo's lines began this month) and their delivery by e-mail.
    page.get_by_role("link", name="Счета и документы").click()
    expect(page.locator("#no-invoices")).to_be_visible()
    page.get_by_label("По e-mail").check()
    page.get_by_label("Формат").last.select_option("xlsx")
    page.get_by_label(re.compile("^Адреса e-mail")).fill("buh@alfa.example;boss@alfa.example")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Способ доставки сохранён.")
    expect(page.locator("#delivery-now")).to_contain_text("XLSX")
    expect(page.locator("#delivery-now")).to_contain_text("buh@alfa.example;boss@alfa.example")
    cabinet.close()
