from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from shared.events import DomainEvent, EventRegistry, UnknownEventType


def make_registry() -> tuple[EventRegistry, type[DomainEvent]]:
    reg = EventRegistry()

    @reg.register
    class FeeCharged(DomainEvent, type="FeeCharged", version=3):
        account_id: str
        amount: Decimal
        charged_at: datetime
        reason: str = "monthly"

    @reg.upcaster("FeeCharged", 1)
    def v1_to_v2(payload: dict) -> dict:
        payload["charged_at"] = payload.pop("at")
        return payload

    @reg.upcaster("FeeCharged", 2)
    def v2_to_v3(payload: dict) -> dict:
        payload["amount"] = payload.pop("sum")
        return payload

    return reg, FeeCharged


def test_json_round_trip_keeps_decimal_and_offset_exact() -> None:
    reg, cls = make_registry()
    at = datetime(2026, 3, 1, 0, 0, tzinfo=timezone(timedelta(hours=3)))
    event = cls(account_id="1015", amount=Decimal("96.2600"), charged_at=at)
    payload = event.to_payload()
    assert payload["amount"] == "96.2600"
    loaded = reg.load("FeeCharged", 3, payload)
    assert loaded == event
    assert loaded.amount == Decimal("96.2600") and loaded.charged_at.utcoffset() == timedelta(hours=3)


def test_old_versions_are_upcast_step_by_step() -> None:
    reg, cls = make_registry()
    loaded = reg.load("FeeCharged", 1, {"account_id": "1", "sum": "5.00", "at": "2026-01-01T00:00:00+00:00"})
    assert loaded == cls(account_id="1", amount=Decimal("5.00"), charged_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_events_are_immutable_and_refuse_unknown_fields() -> None:
    _reg, cls = make_registry()
    event = cls(account_id="1", amount=Decimal("1"), charged_at=datetime.now(UTC))
    with pytest.raises(ValidationError):
        event.amount = Decimal("2")  # type: ignore[misc]
    with pytest.raises(ValidationError):
        cls(account_id="1", amount=Decimal("1"), charged_at=datetime.now(UTC), surprise=1)


def test_unknown_types_and_future_versions_are_refused() -> None:
    reg, _ = make_registry()
    with pytest.raises(UnknownEventType):
        reg.load("Nope", 1, {})
    with pytest.raises(UnknownEventType):
        reg.load("FeeCharged", 4, {})


def test_partition_key_is_the_account() -> None:
    _, cls = make_registry()
    assert cls(account_id="77", amount=Decimal("1"), charged_at=datetime.now(UTC)).partition_key == "77"


def test_a_type_name_cannot_be_registered_by_two_classes() -> None:
    reg, _ = make_registry()

    class Other(DomainEvent, type="FeeCharged", version=1):
        pass

    with pytest.raises(ValueError, match="twice"):
        reg.register(Other)
