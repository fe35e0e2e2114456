"""The published AsyncAPI documents describe every event each service publishes, and are current."""

from __future__ import annotations

import json
from pathlib import Path

from shared.events import registry
from shared.ops.asyncapi import ROOT, document_for, publishing_services

DOCS = ROOT / "docs" / "asyncapi"


def test_every_registered_event_of_a_service_is_in_its_document() -> None:
    for service in publishing_services():
        document = document_for(service)
        channels = document["channels"]
        assert isinstance(channels, dict)
        titles = set(channels)
        events = [c for c in registry.classes() if c.__module__.startswith(f"services.{service}.")]
        assert events, service
        for cls in events:
            assert f"billing.{service}.{cls.event_type}.v{cls.schema_version}" in titles
            assert channels[f"billing.{service}.{cls.event_type}.v{cls.schema_version}"]["address"] == (
                f"billing.{service}.events")


def test_the_committed_documents_are_current() -> None:
    for service in publishing_services():
        committed = DOCS / f"{service}.json"
        assert committed.exists(), f"run `make asyncapi` to publish {service}'s events"
        assert json.loads(committed.read_text()) == document_for(service), (
            f"docs/asyncapi/{service}.json is stale: run `make asyncapi`")


def test_payment_registered_documents_money_and_time_fields() -> None:
    schema = document_for("payments")["components"]["schemas"]["PaymentRegistered"]  # type: ignore[index]
    assert {"account_id", "amount", "paid_at"} <= set(schema["required"])
    assert Path(DOCS / "payments.json").exists()
