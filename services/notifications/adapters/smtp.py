"""E-mail through a real SMTP server (aiosmtplib)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from services.notifications.domain.outgoing import DeliveryFailed, Outgoing

__all__ = ["SmtpSender"]


class SmtpSender:
    def __init__(
        self, host: str, port: int, sender: str, *, username: str | None = None, password: str | None = None,
        starttls: bool = False, timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    async def send(self, message: Outgoing) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.address
        email["Subject"] = message.subject or ""
        # The message id lets mail clients drop the rare duplicate of a retried send.
        email["Message-ID"] = make_msgid(idstring=message.message_id, domain="billing.local")
        email.set_content(message.text)
        if message.attachment is not None:
            maintype, _, subtype = message.attachment.content_type.partition("/")
            email.add_attachment(message.attachment.content, maintype=maintype, subtype=subtype or "octet-stream",
                                 filename=message.attachment.filename)
        try:
            await aiosmtplib.send(
                email, hostname=self.host, port=self.port, username=self.username, password=self.password,
                start_tls=self.starttls, timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise DeliveryFailed(f"smtp: recipient refused ({_codes(error)})", permanent=True) from None
        except aiosmtplib.SMTPResponseException as error:
            raise DeliveryFailed(f"smtp: {error.code}", permanent=500 <= error.code < 600) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise DeliveryFailed(f"smtp: {type(error).__name__}") from None


def _codes(error: aiosmtplib.SMTPRecipientsRefused) -> str:
    return ",".join(str(refused.code) for refused in error.recipients)
