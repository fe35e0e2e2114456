"""Prometheus metrics every service exposes on /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "CONSUMER_LAG",
    "DLQ_DEPTH",
    "EVENTS_APPENDED",
    "HTTP_LATENCY",
    "PROJECTION_APPLIED",
    "PROJECTION_DEAD_LETTERED",
    "PROJECTION_GAPS",
    "PROJECTION_GAPS_GIVEN_UP",
    "PROJECTION_MISSING",
    "PROJECTION_PARKED",
    "RELAY_LAG",
    "RELAY_PUBLISHED",
    "TIMERS_FIRED",
    "TOPIC_LOSSES",
]

EVENTS_APPENDED = Counter("billing_events_appended_total", "Events appended", ["service", "event_type"])
RELAY_PUBLISHED = Counter("billing_relay_published_total", "Events published to Kafka", ["service"])
RELAY_LAG = Gauge("billing_relay_lag_events", "Events stored but not yet published", ["service"])
PROJECTION_APPLIED = Counter("billing_projection_applied_total", "Events applied", ["projection"])
PROJECTION_GAPS = Counter(
    "billing_projection_gaps_total", "Gaps noticed: an event arrived ahead of a version not yet applied", ["projection"]
)
PROJECTION_PARKED = Gauge(
    "billing_projection_parked_events", "Events waiting for an earlier version of their stream", ["projection"]
)
PROJECTION_GAPS_GIVEN_UP = Counter(
    "billing_projection_gaps_given_up_total", "Gaps whose wait ran out: later events applied without them",
    ["projection"],
)
PROJECTION_MISSING = Gauge(
    "billing_projection_missing_versions", "Stream versions given up on and not applied since", ["projection"]
)
CONSUMER_LAG = Gauge(
    "billing_consumer_lag", "Messages on the broker after the last batch a projection handled",
    ["projection", "topic", "partition"],
)
PROJECTION_DEAD_LETTERED = Counter(
    "billing_projection_dead_lettered_total", "Messages sent to the DLQ", ["projection"]
)
TOPIC_LOSSES = Counter(
    "billing_relay_topic_losses_total", "Times the broker held less than the relay had written", ["service"]
)
DLQ_DEPTH = Gauge(
    "billing_dlq_depth", "Dead letters of a projection not yet retried or dropped (shared/deadletters.py)",
    ["projection"],
)
TIMERS_FIRED = Counter("billing_timers_fired_total", "Durable timers fired", ["kind"])
#: `route` is the matched path template (`/api/v1/accounts/{account_id}/summary`) or "unmatched".
HTTP_LATENCY = Histogram(
    "billing_http_request_seconds", "HTTP request latency", ["service", "method", "route", "status"]
)
