from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import CommonSettings

__all__ = ["RATING_PLANS", "TelephonySettings"]

RATING_PLANS = Path(__file__).parent / "rating" / "plans.v1.json"


class TelephonySettings(CommonSettings):
    telephony_http_port: int = 8104
    #: Rating plans per tariff and the bundles' sizes (versioned: plans.v<N>.json, domain/rating.py).
    rating_plans: Path = RATING_PLANS
    #: Where rated usage is posted (invoicing's internal API).
    invoicing_url: str = "http://127.0.0.1:8103"
    #: Where call-detail files go to be mailed (the notifications service's internal API).
    notifications_url: str = "http://127.0.0.1:8105"
    #: The raw CDR topic the switch writes (`KAFKA_TOPIC_PREFIX` is put before it).
    cdr_topic: str = "telephony.cdr.raw"
    #: Usage lines the usage worker posts per transaction.
    usage_batch_size: int = Field(default=100, ge=1, le=1000)
    #: What the SIP settings page shows as the server and the equipment's address.
    sip_server: str = "sip.a1.by"
    sip_ip_address: str = "192.0.2.10"
