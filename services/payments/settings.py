from __future__ import annotations

from shared.settings import CommonSettings


class PaymentsSettings(CommonSettings):
    payments_http_port: int = 8101
