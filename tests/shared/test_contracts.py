"""The consumer's check of a message against the producer's published contract (docs/asyncapi)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from shared.cloudevents import CloudEventHeaders, parse_headers, to_kafka
from shared.contracts import EventContract, InvalidEvent, published_contract
from shared.eventstore import RecordedEvent

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def headers(event_type: str = "PaymentRegistered", version: int = 1, stream_version: int = 4) -> CloudEventHeaders:
    event = RecordedEvent(
        global_position=9, stream_id="payment-account-1015", stream_type="PaymentAccount",
        stream_version=stream_version, event_id=uuid.uuid4(), event_type=event_type, schema_version=version,
        partition_key="1015", payload={}, metadata={}, occurred_at=NOW, recorded_at=NOW,
    )
    return parse_headers(to_kafka("payments", event)[2])


def test_the_published_contracts_cover_every_topic_consumed() -> None:
    contract = published_contract()
    contract.require(["billing.accounts.events", "billing.payments.events", "billing.notifications.events",
                      "billing.invoicing.events", "billing.telephony.events"])
    with pytest.raises(ValueError, match=r"billing\.nobody\.events"):
        contract.require(["billing.nobody.events"])


def test_a_published_event_passes_and_types_the_projection_ignores_too() -> None:
    contract = published_contract()
    contract.check("billing.payments.events", headers("PaymentRegistered"))
    contract.check("billing.payments.events", headers("TopUpStarted"))  # no gateway projection uses it


@pytest.mark.parametrize(("changed", "error"), [
    (headers("PaymentHijacked", stream_version=1003), "not in the contract"),
    (headers(version=2), "publishes up to v1"),
    (headers(stream_version=0), "stream version 0"),
    (replace(headers(), type="billing.payments.PaymentReversed.v1"), "disagrees with ce_eventtype"),
    (replace(headers(), source="/billing/accounts"), "does not publish on"),
])
def test_anything_else_is_refused(changed: CloudEventHeaders, error: str) -> None:
    with pytest.raises(InvalidEvent, match=error):
        published_contract().check("billing.payments.events", changed)


def test_an_older_schema_version_of_a_published_type_passes() -> None:
    contract = EventContract({"billing.payments.events": {"PaymentRegistered": 3}})
    contract.check("billing.payments.events", headers(version=2))
    with pytest.raises(InvalidEvent, match="no contract"):
        contract.check("billing.accounts.events", headers())
