"""Charging rules on the charges aggregate, with a fake clock and no I/O: fees in advance and daily,
proration of part months, blocks, tariff changes, add-ons, closing, forecasts, invoices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from services.invoicing.domain.account import AccountCharges, stream_id_for
from services.invoicing.domain.coverage import desired
from services.invoicing.domain.plan import AddOnTerm, BlockFacts
from services.invoicing.domain.proration import Price, amounts
from services.invoicing.domain.rules import TariffRule
from shared.clock import FakeClock
from tests.invoicing.factories import Charges, at, day, isp_plan, rules_with, tariff

NOV = day("2026-11-01")
DEC = day("2026-12-01")
NET_650 = Decimal("541.6667")  # 650.00 gross at 20 %: the net is derived from the gross


def _sum(lines, field: str = "net") -> Decimal:  # type: ignore[no-untyped-def]
    return sum((getattr(line, field) for line in lines), Decimal("0"))


def test_the_monthly_fee_is_charged_in_advance_on_the_first_and_a_rerun_posts_nothing() -> None:
    clock = FakeClock(at("2026-11-01", 0))
    charges = Charges(isp_plan())
    [line] = charges.post(clock.now())
    assert (line.kind, line.item, line.description) == ("subscription", "line:inet-1015", "План Безлимитный 50 Мбит/с, 1 мес")
    assert (line.from_day, line.to_day, line.net, line.vat, line.total) == (
        NOV, day("2026-11-30"), NET_650, Decimal("108.3333"), Decimal("650.0000"))
    assert line.charge_id == "2026-11/line:inet-1015/650.00@20/+01..30/1"
    clock.advance(timedelta(days=12))
    assert charges.post(clock.now()) == []
    assert charges.post(clock.now()) == []


def test_daily_accrual_charges_a_day_at_a_time_and_adds_up_to_the_fee_at_the_month_end() -> None:
    charges = Charges(isp_plan(), rules_with(**{"inet-50-1m": TariffRule(accrual="daily")}))
    clock = FakeClock(at("2026-11-01", 0))
    [first] = charges.post(clock.now())
    assert (first.from_day, first.to_day, first.net) == (NOV, NOV, Decimal("18.0556"))  # 541.6667 / 30
    for _ in range(29):
        clock.advance(timedelta(days=1))
        assert len(charges.post(clock.now())) == 1
    assert charges.net(NOV) == NET_650 and charges.total(NOV) == Decimal("650.0000")
    assert charges.post(clock.now()) == []


def test_a_part_month_prorates_days_over_days_in_month_at_four_decimals_half_up() -> None:
    assert amounts(Price(Decimal("66.43"), Decimal("25")), 27, 31).net == Decimal("46.2867")  # 53.144 x 27/31
    assert amounts(Price(Decimal("650.00"), Decimal("20")), 15, 30).net == Decimal("270.8334")  # 270.83335 up
    assert amounts(Price(Decimal("96.26"), Decimal("25"), whole=True), 3, 31).net == Decimal("77.0080")
    charges = Charges(isp_plan(opened="2026-11-16", line_from="2026-11-16"))
    [line] = charges.post(at("2026-11-16"))
    assert (line.from_day, line.description, line.net) == (
        day("2026-11-16"), "План Безлимитный 50 Мбит/с, 1 мес 15", Decimal("270.8334"))


def test_no_fee_during_a_voluntary_block_the_blocked_days_are_credited_and_the_block_fee_charged() -> None:
    plan = isp_plan()
    charges = Charges(plan)
    charges.post(at("2026-11-01"))
    plan.schedule_block(BlockFacts(block_id="b-1", starts_on=day("2026-11-10"), ends_on=day("2026-11-23"),
                                   fee=Decimal("5.00")))
    [credit] = charges.post(at("2026-11-05"))  # known ahead: the blocked days are not due
    assert (credit.kind, credit.from_day, credit.to_day) == ("credit", day("2026-11-10"), day("2026-11-23"))
    assert credit.net == -(NET_650 - amounts(Price(Decimal("650.00"), Decimal("20")), 16, 30).net)
    [fee] = charges.post(at("2026-11-10"))
    assert (fee.kind, fee.item, fee.description, fee.total) == ("block_fee", "block:b-1", "Добровольная блокировка",
                                                                Decimal("5.0000"))
    assert charges.net(NOV) == Decimal("288.8889") + fee.net  # 16 days of 30, plus the block's fee
    assert charges.post(at("2026-11-20")) == []


def test_a_block_ended_early_charges_the_days_after_it_and_a_cancelled_one_gives_them_back() -> None:
    plan = isp_plan()
    charges = Charges(plan)
    plan.schedule_block(BlockFacts(block_id="b-1", starts_on=day("2026-11-10"), ends_on=day("2026-11-23"),
                                   fee=Decimal("0")))
    charges.post(at("2026-11-01"))
    plan.end_block("b-1", day("2026-11-15"))
    [again] = charges.post(at("2026-11-15"))
    assert (again.kind, again.from_day, again.to_day) == ("subscription", day("2026-11-15"), day("2026-11-23"))
    plan.cancel_block("b-1")
    charges.post(at("2026-11-16"))
    assert charges.net(NOV) == NET_650


def test_a_tariff_with_a_reduced_fee_charges_it_for_the_blocked_days() -> None:
    plan = isp_plan()
    plan.schedule_block(BlockFacts(block_id="b-1", starts_on=day("2026-11-01"), ends_on=day("2026-11-30"),
                                   fee=Decimal("0")))
    charges = Charges(plan, rules_with(**{"inet-50-1m": TariffRule(block_fee=Decimal("60.00"))}))
    [line] = charges.post(at("2026-11-01"))
    assert (line.description, line.total) == ("План Безлимитный 50 Мбит/с, 1 мес (блокировка)", Decimal("60.0000"))


def test_a_tariff_change_now_credits_the_unused_days_and_charges_the_new_tariff_for_the_rest() -> None:
    plan = isp_plan()
    charges = Charges(plan)
    charges.post(at("2026-11-01"))
    plan.change_tariff("inet-1015", tariff("2026-11-16", "850.00", "inet-100-1m", "Безлимитный 100 Мбит/с, 1 мес"))
    credit, new = charges.post(at("2026-11-16"))
    assert (credit.kind, credit.from_day, credit.to_day, credit.monthly_fee) == (
        "credit", day("2026-11-16"), day("2026-11-30"), Decimal("650.00"))
    assert credit.net == amounts(Price(Decimal("650.00"), Decimal("20")), 15, 30).net - NET_650
    assert (new.kind, new.from_day, new.description, new.net) == (
        "subscription", day("2026-11-16"), "План Безлимитный 100 Мбит/с, 1 мес 15", Decimal("354.1667"))
    assert charges.post(at("2026-11-17")) == []


def test_a_tariff_change_for_the_next_period_leaves_this_month_and_prices_the_next() -> None:
    plan = isp_plan()
    charges = Charges(plan)
    charges.post(at("2026-11-01"))
    plan.change_tariff("inet-1015", tariff("2026-12-01", "850.00", "inet-100-1m", "Безлимитный 100 Мбит/с, 1 мес"))
    assert charges.post(at("2026-11-20")) == []
    [forecast] = charges.aggregate.forecast(DEC, desired(plan, charges.rules, DEC, day("2026-11-20"),
                                                         whole_period=True), at("2026-11-20"))
    assert (forecast.period, forecast.amount) == (DEC, Decimal("850.00"))
    [december] = charges.post(at("2026-12-01", 0))
    assert (december.period, december.total) == (DEC, Decimal("850.0000"))


def test_an_add_on_connected_and_removed_mid_month_is_charged_for_its_days_only() -> None:
    plan = isp_plan()
    charges = Charges(plan)
    charges.post(at("2026-11-01"))
    plan.connect_add_on(AddOnTerm(line_id="inet-1015", service_id="static-ip", name="Статический IP-адрес",
                                  monthly_fee=Decimal("150.00"), from_day=day("2026-11-11")))
    [connected] = charges.post(at("2026-11-11"))
    assert (connected.kind, connected.item, connected.description, connected.net) == (
        "add_on", "add-on:inet-1015:static-ip", "Статический IP-адрес 20", Decimal("83.3333"))
    plan.disconnect_add_on("inet-1015", "static-ip", day("2026-11-21"))
    [removed] = charges.post(at("2026-11-21"))
    assert (removed.kind, removed.from_day, removed.to_day, removed.net) == (
        "credit", day("2026-11-21"), day("2026-11-30"), Decimal("-41.6666"))
    assert connected.net + removed.net == Decimal("41.6667")  # 10 days of 125.00 net over 30


def test_an_account_closed_mid_month_gets_the_days_after_closing_back_and_no_forecast_of_fees() -> None:
    plan = isp_plan()
    charges = Charges(plan)
    charges.post(at("2026-11-01"))
    plan.close(day("2026-11-10"))
    [credit] = charges.post(at("2026-11-10", 15))
    assert (credit.kind, credit.from_day, credit.to_day) == ("credit", day("2026-11-11"), day("2026-11-30"))
    assert charges.net(NOV) == Decimal("180.5556")  # 10 of 30 days
    [forecast] = charges.aggregate.forecast(DEC, desired(plan, charges.rules, DEC, day("2026-11-10"),
                                                         whole_period=True), at("2026-11-10"))
    assert forecast.amount == Decimal("0.00")


def test_a_forecast_is_published_only_when_it_changes() -> None:
    plan = isp_plan()
    aggregate = AccountCharges(stream_id_for("1015"))
    [first] = aggregate.forecast(DEC, desired(plan, Charges(plan).rules, DEC, day("2026-11-20"), whole_period=True),
                                 at("2026-11-20"))
    aggregate.replay([first])
    assert first.amount == Decimal("650.00")
    assert aggregate.forecast(DEC, desired(plan, Charges(plan).rules, DEC, day("2026-11-21"), whole_period=True),
                              at("2026-11-21")) == []


def test_an_invoiced_period_takes_no_more_charges_and_its_invoice_is_issued_once() -> None:
    plan = isp_plan()
    charges = Charges(plan)
    charges.post(at("2026-11-01"))
    [issued] = charges.aggregate.issue_invoice(NOV, "inv-1015-2026-11", "INV-2026", "INV-2026-000001",
                                               at("2026-12-01", 0), day("2026-12-10"))
    charges.aggregate.replay([issued])
    assert (issued.net, issued.vat, issued.total) == (NET_650, Decimal("108.3333"), Decimal("650.0000"))
    assert charges.aggregate.issue_invoice(NOV, "x", "INV-2026", "INV-2026-000002", at("2026-12-01"),
                                           day("2026-12-10")) == []
    plan.close(day("2026-11-20"))
    assert charges.post(at("2026-12-01"), NOV, closing=True) == []


def test_the_aggregate_restored_from_a_snapshot_decides_as_the_one_replayed() -> None:
    plan = isp_plan()
    charges = Charges(plan, rules_with(**{"inet-50-1m": TariffRule(accrual="daily")}))
    for n in range(1, 11):
        charges.post(at(f"2026-11-{n:02d}"))
    restored = AccountCharges(stream_id_for("1015"))
    restored.restore_state(charges.aggregate.snapshot_state())
    wanted = desired(plan, charges.rules, NOV, day("2026-11-12"))
    assert restored.post_charges(NOV, wanted, at("2026-11-12")) == charges.aggregate.post_charges(
        NOV, wanted, at("2026-11-12"))
