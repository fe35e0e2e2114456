"""The rest of the web cabinet in a real browser (issue 14): what the README's walkthroughs did with
curl and the cabinet lacked. One stack, two long walks in one test (`make test` is slow enough):

- the subscriber (1015) switches an SMS notification off, reads the knowledge base, books a tariff
  change for the next period, sets the internet service password (a mismatch refused beside its
  field, nothing drawn back) and connects a TV partner's package;
- the organization's admin (3003/3004) switches a mobile number's internet on with a package,
  pauses and resumes it, sets call forwarding, is refused the voicemail copy (no voicemail «Plus»),
  sees the SIM's codes, connects voicemail «Plus» to two ticked numbers at once (then is refused
  the same again, both lines named), and so gets the voicemail copy; orders the call detail by
  e-mail; is refused a preliminary invoice without a delivery address, sets one and orders it
  (the smtp-sink receives both mails), and is refused a re-send of a month with no invoice.

Same browser and helpers as test_cabinet_in_a_browser.py; screenshots in `test-results/<test name>/`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import BrowserType, expect

from shared.calendar import add_months, month_start
from tests.e2e.conftest import Stack, poll
from tests.e2e.test_cabinet_in_a_browser import Cabinet, browser, output  # noqa: F401 (fixtures)

MINSK = ZoneInfo("Europe/Minsk")
MOBILE = "mob-375291003003"


def _ready(stack: Stack) -> date:
    """The demo data, on a day from the 4th (invoices are made on days 1-3: mailings wait), with
    telephony and invoicing knowing the organization's lines (their facts come via Kafka)."""
    stack.load_demo_data()
    today = datetime.now(MINSK).date()
    if today.day <= 3:
        today = today.replace(day=4)
        stack.move_clock_to(datetime.combine(today, time(10), MINSK).astimezone(UTC))
    admin = stack.login("a1-3003", "demo-admin-3003")
    gateway = stack.urls["gateway"]
    mobile = poll(lambda: httpx.get(f"{gateway}/api/v1/accounts/3004/lines/{MOBILE}/internet", headers=admin),
                  lambda r: r.status_code == 200)
    assert mobile.status_code == 200, mobile.text
    charges = poll(lambda: httpx.get(f"{gateway}/api/v1/accounts/3003/charges", headers=admin),
                   lambda r: r.status_code == 200 and r.json()["subscribers"])
    assert charges.status_code == 200 and charges.json()["subscribers"], charges.text
    return today


def test_the_subscriber_and_the_org_admin_do_the_rest_of_the_walkthroughs_in_the_browser(
        stack: Stack, browser: BrowserType, output: Path) -> None:  # noqa: F811
    today = _ready(stack)
    gateway = stack.urls["gateway"]

    # -- the subscriber ------------------------------------------------------------------------------
    cabinet = Cabinet(browser, stack)
    cabinet.log_in("1015", "demo-1015-pass")
    page = cabinet.page
    expect(page).to_have_url(re.compile(r"/cabinet/accounts/1015$"))

    page.get_by_role("link", name="Настройка уведомлений").click()
    sms = page.get_by_label("Поступление платежа: SMS")
    expect(sms).to_be_checked()
    sms.uncheck()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Готово.")
    expect(page.get_by_label("Поступление платежа: SMS")).not_to_be_checked()
    expect(page.get_by_label("Поступление платежа: E-mail")).to_be_checked()
    me = stack.login("1015", "demo-1015-pass")
    chosen = httpx.get(f"{gateway}/api/v1/profile/notification-preferences", headers=me).json()
    assert next(t for t in chosen["topics"] if t["topic"] == "payment_received")["channels"] == ["email"]

    page.get_by_role("link", name="База знаний").click()
    expect(page.get_by_role("heading", name=re.compile("^Обещанный платёж"))).to_be_visible()

    cabinet.open("/accounts/1015")
    page.locator('a[href$="/lines/inet-1015/tariff"]').click()
    expect(page.locator("#current-tariff")).to_contain_text("Безлимитный 50 Мбит/с")
    page.get_by_label("Безлимитный 100 Мбит/с").check()
    page.get_by_label("С начала следующего периода").check()
    page.get_by_role("button", name="Сменить").last.click()
    next_period = add_months(month_start(today), 1)
    expect(page.get_by_role("status")).to_have_text(f"Смена тарифа запланирована с {next_period:%d.%m.%Y}.")
    cabinet.shot(output, "tariff.png")

    cabinet.open("/accounts/1015")
    page.locator('a[href$="/lines/inet-1015/password"]').click()
    page.get_by_label("Новый пароль").fill("Kv8#trLm2q-secret")
    page.get_by_label("Пароль ещё раз").fill("Kv8#trLm2q-other")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#e-password_confirmation")).to_have_text("⚠ Пароли не совпадают.")
    expect(page.get_by_label("Новый пароль")).to_have_value("")  # never drawn back
    assert "Kv8#trLm2q" not in page.content()
    page.get_by_label("Новый пароль").fill("Kv8#trLm2q-secret")
    page.get_by_label("Пароль ещё раз").fill("Kv8#trLm2q-secret")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Пароль услуги изменён.")

    cabinet.open("/accounts/1015")
    page.locator('a[href$="/lines/tv-1015/tv"]').click()
    expect(page.locator("#tv-packages")).to_contain_text("Смотрёшка")
    page.get_by_role("button", name="Подключить: 24часаТВ: «Базовый»").click()
    expect(page.get_by_role("status")).to_have_text("Пакет подключён.")
    expect(page.get_by_role("button", name="Отключить: 24часаТВ: «Базовый»")).to_be_visible()
    cabinet.shot(output, "tv.png")
    cabinet.close()

    # -- the organization's admin ---------------------------------------------------------------------
    cabinet = Cabinet(browser, stack)
    cabinet.log_in("a1-3003", "demo-admin-3003")
    page = cabinet.page
    expect(page).to_have_url(re.compile(r"/cabinet/accounts$"))
    cabinet.open("/accounts/3004/telephony")
    page.locator(f'a[href$="/lines/{MOBILE}/mobile"]').click()
    internet = page.locator("section", has=page.get_by_role("heading", name="Мобильный интернет"))
    internet.get_by_label("Мобильный интернет включён").check()
    internet.get_by_label("Пакет").select_option("Пакет 750")
    internet.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Мобильный интернет сохранён.")
    expect(page.locator("#internet-now")).to_have_text("✔ включено: Пакет 750")

    page.get_by_label("Номер на паузе").check()
    page.locator("section", has=page.locator("#h-pause")).get_by_role("button", name="Сохранить").click()
    expect(page.locator("#pause-now")).to_have_text("■ Номер на паузе")
    page.get_by_label("Номер на паузе").uncheck()
    page.locator("section", has=page.locator("#h-pause")).get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Пауза сохранена.")
    expect(page.locator("#pause-now")).to_contain_text("активен")

    page.get_by_label("Условие").select_option("busy")
    page.get_by_label("Номер для переадресации (пусто — отменить)").fill("+375291234567")
    page.locator("section", has=page.locator("#h-forwarding")).get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Переадресация сохранена.")
    expect(page.locator("#forwarding")).to_contain_text("375291234567")

    page.get_by_label("E-mail (пусто — отменить)").fill("vm@alfa.example")
    page.locator("section", has=page.locator("#h-voicemail")).get_by_role("button", name="Сохранить").click()
    expect(page.locator("#e-voicemail_email")).to_contain_text("Сначала подключите")
    cabinet.shot(output, "mobile-refused.png")

    page.get_by_role("link", name="PIN- и PUK-коды SIM-карты").click()
    expect(page.locator("#sim")).to_contain_text("12345678")

    # Voicemail «Plus» to both mobile numbers at once; the same again is refused, both lines named.
    page.get_by_role("link", name="Абоненты организации").click()
    page.get_by_label("Номер (% — любые цифры, _ — одна цифра)").fill("37529%")
    page.get_by_role("button", name="Найти").click()
    # The found list replaces the page's first one (htmx): tick only once the SIP numbers are gone,
    # or a tick made before the swap is lost with the old list.
    expect(page.get_by_role("checkbox", name=re.compile("Выбрать 37517"))).to_have_count(0)
    for number in ("375291003003", "375291003004"):
        page.get_by_role("checkbox", name=re.compile(f"Выбрать {number}")).check()
    page.get_by_label("Услуга", exact=True).select_option("voicemail-plus")
    page.get_by_label("Действие").select_option("connect")
    page.get_by_role("button", name="Применить").click()
    expect(page.get_by_role("status")).to_have_text("Услуга подключена абонентам: 2.")
    for number in ("375291003003", "375291003004"):
        page.get_by_role("checkbox", name=re.compile(f"Выбрать {number}")).check()
    page.get_by_label("Услуга", exact=True).select_option("voicemail-plus")
    page.get_by_role("button", name="Применить").click()
    refusal = page.locator("#e-lines")
    expect(refusal).to_contain_text("Ничего не изменено")
    expect(refusal).to_contain_text("mob-375291003003: уже подключена")
    expect(refusal).to_contain_text("mob-375291003004: уже подключена")
    cabinet.shot(output, "bulk-refused.png")

    cabinet.open(f"/accounts/3004/lines/{MOBILE}/mobile")
    page.get_by_label("E-mail (пусто — отменить)").fill("vm@alfa.example")
    page.locator("section", has=page.locator("#h-voicemail")).get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Копия голосовой почты сохранена.")
    expect(page.locator("#voicemail-now")).to_have_text("vm@alfa.example")
    cabinet.shot(output, "mobile.png")

    # The call detail by e-mail (to the profile's address, masked on the page).
    cabinet.open("/accounts/3003/telephony")
    page.get_by_role("link", name="Детализация на e-mail").click()
    page.get_by_label("С", exact=True).fill(today.isoformat())
    page.get_by_label("По", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Заказать").click()
    expect(page.locator("#detail-ordered")).to_contain_text("Детализация заказана")
    mailed = poll(lambda: stack.log_text("smtp-sink"), lambda text: "Детализация звонков" in text, timeout=30)
    assert "admin@alfa-telecom.example" in mailed

    # Invoices by e-mail: no address yet (refused beside the form), then the preliminary invoice.
    cabinet.open("/accounts/3003/invoices")
    page.get_by_role("link", name="Счета по e-mail").click()
    preliminary = page.locator("section", has=page.locator("#h-preliminary"))
    preliminary.get_by_role("button", name="Заказать").click()
    expect(page.locator("#e-numbers")).to_contain_text("Для доставки по e-mail укажите адрес.")
    page.get_by_role("link", name="Способ доставки").click()
    page.get_by_label("По e-mail").check()
    page.get_by_label(re.compile("^Адреса e-mail")).fill("buh@alfa.example")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("status")).to_have_text("Способ доставки сохранён.")
    page.get_by_role("link", name="Счета по e-mail").click()
    page.locator("section", has=page.locator("#h-preliminary")).get_by_role("button", name="Заказать").click()
    expect(page.get_by_role("status")).to_have_text("Предварительный счёт заказан: он придёт на e-mail.")
    mailed = poll(lambda: stack.log_text("smtp-sink"), lambda text: "Предварительный счёт за" in text, timeout=30)
    assert "buh@alfa.example" in mailed
    last_month = add_months(month_start(today), -1)
    page.get_by_label("Месяц", exact=True).select_option(f"{last_month:%Y-%m}")  # the demo began this month: no invoice
    page.get_by_role("button", name="Отправить").click()
    expect(page.locator("#e-period")).to_have_text("⚠ Счёта за этот месяц нет.")
    cabinet.shot(output, "invoice-mailings.png")
    cabinet.close()
