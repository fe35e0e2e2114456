"""The web cabinet in a real browser (issue 14): Debian's Chromium (/usr/bin/chromium) driven by
Playwright for Python, over the whole stack started as `make run` starts it (tests/e2e/conftest.py).

Playwright's own browser download cannot work here, so the tests launch the system Chromium; when it
is missing they fail (`.ci/run` installs it), never skip. Each scenario saves a screenshot in its
output folder, `test-results/<test name>/` (git-ignored), and fails on any Content-Security-Policy
violation the browser reports (the pages carry no inline script).

The debtor's promised payment (which lifts the block the other walks see) has a stack of its own;
the other walks share one with the demo data (`demo_stack`), each on what no other one changes
(1015's block and its top-up, an organization subscriber's name; a refused login)."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserType, ConsoleMessage, Page, expect, sync_playwright

from tests.e2e.conftest import Stack, debtor_blocked_by_charges

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
#: What a page may take to show a fact that travels through Kafka (a payment registered by the
#: payments service): the browser waits for it, and fails past it. Not a speed assertion.
SHOWS_WITHIN_MS = 20_000


@pytest.fixture
def browser() -> Iterator[BrowserType]:
    """Debian's Chromium through Playwright; each `Cabinet` launches it on a fresh user-data-dir.
    Started after the test's stack (the stacks' fixtures run event loops of their own to create and
    drop their databases) and stopped before it: the sync API runs a loop of its own on this thread
    while it is open."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)")
    with sync_playwright() as playwright:
        yield playwright.chromium


@pytest.fixture
def output(request: pytest.FixtureRequest) -> Path:
    """The test's output folder: test-results/<test name>/."""
    folder = ROOT / "test-results" / re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Cabinet:
    """One browser context (its own cookies) on the stack's cabinet."""

    def __init__(self, browser: BrowserType, stack: Stack, *, javascript: bool = True) -> None:
        self.base = f"{stack.urls['gateway']}/cabinet"
        self.profile = tempfile.mkdtemp(prefix="cabinet-chromium-")
        self.context = browser.launch_persistent_context(
            self.profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, java_script_enabled=javascript,
            viewport={"width": 1100, "height": 900}, locale="ru-RU")
        self.page: Page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.csp_violations: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def open(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")

    def log_in(self, login: str, password: str) -> None:
        self.open("/login")
        self.page.get_by_label("Номер договора или телефон").fill(login)
        self.page.get_by_label("Пароль", exact=True).fill(password)
        self.page.get_by_role("button", name="Войти").first.click()

    def shot(self, output: Path, name: str = "screenshot.png") -> Path:
        path = output / name
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()
        shutil.rmtree(self.profile, ignore_errors=True)
        assert not self.csp_violations, self.csp_violations


def _business_date(stack: Stack, headers: dict[str, str], account: str) -> date:
    summary = httpx.get(f"{stack.urls['gateway']}/api/v1/accounts/{account}/summary", headers=headers)
    return date.fromisoformat(summary.json()["business_date"])


def _ready(stack: Stack) -> str:
    """The demo data; the debtor's account blocked by this month's charges (invoicing's, in advance:
    it has no money) and the payments service offering a promised payment up to this month's fees.
    The charges, as the API shows them."""
    stack.load_demo_data()
    return _debtor_blocked(stack)


def _debtor_blocked(stack: Stack) -> str:
    return str(debtor_blocked_by_charges(stack, stack.login("2002", "demo-2002-pass"))["charged_total"])


def _ru(amount: str) -> str:
    """An amount as the Russian pages write it (under 1 000: no group separator)."""
    return amount.replace(".", ",")


def test_the_debtor_takes_a_promised_payment_and_sees_the_account_active(
        stack: Stack, browser: BrowserType, output: Path) -> None:
    charged = _ready(stack)
    cabinet = Cabinet(browser, stack)
    cabinet.log_in("2002", "demo-2002-pass")
    page = cabinet.page
    expect(page).to_have_url(re.compile(r"/cabinet/accounts/2002$"))
    expect(page.locator("#status")).to_contain_text("Заблокирован")
    expect(page.locator("#balance")).to_have_text(f"\u2212{_ru(charged)}")
    expect(page.locator("footer")).to_contain_text("Europe/Minsk (UTC+03:00)")

    page.get_by_role("link", name="Обещанный платёж").first.click()
    expect(page.get_by_text(f"Можно взять до {_ru(charged)}")).to_be_visible()
    page.get_by_label("Сумма").fill(_ru(charged))
    page.get_by_role("button", name="Взять обещанный платёж").click()

    expect(page).to_have_url(re.compile(r"/cabinet/accounts/2002\?done=taken$"))
    expect(page.get_by_role("status")).to_have_text("Обещанный платёж зачислен.")
    expect(page.locator("#status")).to_have_text("✔ Активен")
    expect(page.locator("#balance")).to_have_text("0,00")
    cabinet.shot(output)

    page.get_by_role("link", name="Обещанный платёж").first.click()  # a second one is refused, by the rule's words
    expect(page.get_by_text("Обещанный платёж сейчас недоступен")).to_be_visible()
    cabinet.close()


def test_a_subscriber_previews_schedules_and_sees_a_block_and_a_debtor_is_refused_one(
        demo_stack: Stack, browser: BrowserType, output: Path) -> None:
    _debtor_blocked(demo_stack)  # the demo's read models in place
    tomorrow = _business_date(demo_stack, demo_stack.login("1015", "demo-1015-pass"), "1015") + timedelta(days=1)
    cabinet = Cabinet(browser, demo_stack)
    cabinet.log_in("1015", "demo-1015-pass")
    page = cabinet.page
    expect(page).to_have_url(re.compile(r"/cabinet/accounts/1015$"))
    page.get_by_role("link", name="Добровольная блокировка").first.click()
    expect(page.get_by_text(f"Осталось блокировок в {tomorrow.year} году: 1")).to_be_visible()
    page.get_by_label("Первый день").fill(tomorrow.isoformat())
    page.get_by_label("Число дней").fill("14")
    page.get_by_role("button", name="Рассчитать").click()
    ends = tomorrow + timedelta(days=13)
    expect(page.locator("#preview")).to_contain_text(
        f"по {ends.strftime('%d.%m.%Y')} включительно")
    expect(page.locator("#preview")).to_contain_text("Будет использована 1 блокировка")
    page.get_by_role("button", name="Запланировать блокировку").click()

    expect(page.get_by_role("status")).to_have_text("Блокировка запланирована.")
    scheduled = page.locator("#scheduled")
    expect(scheduled).to_contain_text(f"{tomorrow.strftime('%d.%m.%Y')} — {ends.strftime('%d.%m.%Y')}")
    expect(scheduled).to_contain_text("запланирована")
    cabinet.shot(output)
    cabinet.close()

    # The debtor (financially blocked) is refused, and the page says why, in the page's language.
    debtor = Cabinet(browser, demo_stack)
    debtor.log_in("2002", "demo-2002-pass")
    expect(debtor.page).to_have_url(re.compile(r"/cabinet/accounts/2002$"))
    debtor.open(f"/accounts/2002/blocks?starts_on={tomorrow.isoformat()}&days=14")
    debtor.page.get_by_role("button", name="Запланировать блокировку").click()
    expect(debtor.page.get_by_role("alert").first).to_contain_text(
        "Добровольная блокировка недоступна, пока действует финансовая блокировка.")
    expect(debtor.page.locator("#scheduled")).to_contain_text("Нет.")
    debtor.shot(output, "refused-block.png")
    debtor.close()


def test_a_sandbox_top_up_shows_in_the_history(demo_stack: Stack, browser: BrowserType, output: Path) -> None:
    _debtor_blocked(demo_stack)  # the demo's read models in place
    cabinet = Cabinet(browser, demo_stack)
    cabinet.log_in("1015", "demo-1015-pass")
    page = cabinet.page
    expect(page).to_have_url(re.compile(r"/cabinet/accounts/1015$"))
    page.get_by_role("link", name="Пополнить счёт").click()
    expect(page.locator("#history")).not_to_contain_text("sandbox")  # the demo data's cash payment only
    page.get_by_label("Сумма").fill("150")
    page.get_by_role("button", name="Перейти к оплате").click()

    expect(page).to_have_url(re.compile(r"/public/v1/sandbox/pay/\d+$"))  # the provider's page
    page.get_by_role("button", name="Pay 150.00").click()
    expect(page.get_by_role("heading", name="Paid")).to_be_visible()
    page.get_by_role("link", name="Back to the cabinet").click()  # and back

    expect(page).to_have_url(re.compile(r"/cabinet/accounts/1015/payments$"))
    history = page.locator("#history")
    deadline_hits = 0
    while "150,00" not in history.inner_text() and deadline_hits < SHOWS_WITHIN_MS // 500:
        page.wait_for_timeout(500)  # the payment reaches the cabinet's read model through Kafka
        page.reload()
        deadline_hits += 1
    expect(history).to_contain_text("150,00")
    expect(history).to_contain_text("sandbox")
    cabinet.shot(output)
    cabinet.close()


def test_an_org_admin_finds_a_subscriber_by_pattern_and_renames_it(
        demo_stack: Stack, browser: BrowserType, output: Path) -> None:
    _debtor_blocked(demo_stack)  # the demo's read models in place
    cabinet = Cabinet(browser, demo_stack)
    cabinet.log_in("a1-3003", "demo-admin-3003")
    page = cabinet.page
    expect(page).to_have_url(re.compile(r"/cabinet/accounts$"))  # two accounts: the selector
    expect(page.get_by_role("table")).to_contain_text("3004")  # both accounts of the organization's contract
    page.get_by_role("link", name="Абоненты организации").click()
    page.get_by_label("Номер (% — любые цифры, _ — одна цифра)").fill("37529%00_")
    page.get_by_role("button", name="Найти").click()
    rows = page.locator("#subscribers tbody tr")
    expect(rows).to_have_count(2)  # 375291003003 and 375291003004, not the SIP numbers
    page.get_by_label("Имя абонента 375291003004").fill("Ковалёва О. И., склад")
    page.locator("#subscribers tbody tr").nth(1).get_by_role("button", name="Переименовать").click()

    expect(page.get_by_role("status")).to_have_text("Переименовано: 1.")
    expect(rows).to_have_count(2)  # the same search, shown again with the new name
    expect(page.get_by_label("Имя абонента 375291003004")).to_have_value("Ковалёва О. И., склад")
    expect(page.get_by_label("Имя абонента 375291003003")).to_have_value("Петров Пётр Петрович")
    cabinet.shot(output)
    cabinet.close()


def test_a_wrong_password_is_shown_beside_the_field_without_javascript_and_a_foreign_account_is_404(
        demo_stack: Stack, browser: BrowserType, output: Path) -> None:
    _debtor_blocked(demo_stack)  # the demo's read models in place
    plain = Cabinet(browser, demo_stack, javascript=False)  # every form works without JavaScript
    plain.log_in("1015", "not-the-password")
    page = plain.page
    expect(page.locator("#e-password")).to_have_text("⚠ Неверный номер договора, телефон или пароль.")
    expect(page.get_by_label("Пароль", exact=True)).to_have_attribute("aria-invalid", "true")
    plain.shot(output)

    page.get_by_label("Язык").select_option("en")  # English, switched; the same form, no JavaScript
    page.get_by_role("button", name="Сменить").click()
    page.get_by_label("Contract number or phone").fill("1015")
    page.get_by_label("Password", exact=True).fill("demo-1015-pass")
    page.get_by_role("button", name="Log in").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contract 1015")
    response = page.goto(f"{plain.base}/accounts/2002")  # the debtor's account: not this subscriber's
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    plain.shot(output, "foreign-account.png")
    plain.close()
