"""Message texts from Jinja2 templates, one file per template and language:
`templates/<language>/<template>.j2` with the blocks `sms`, `subject` and `email` (plain text).

Templates get the event's payload as it came (decimal strings, ISO instants) and format it with
the filters `money`, `date` and `datetime`, which follow the message's language and the
subscribers' time zone. A missing field is an error, never an empty gap in a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from services.notifications.domain.events import Channel, Language
from services.notifications.domain.formatting import format_date, format_datetime, format_money
from services.notifications.domain.outgoing import Rendered

__all__ = ["Templates"]

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


class Templates:
    """The MessageTemplates port (application/ports.py) over the template files."""

    def __init__(self, currency: str, timezone: ZoneInfo, folder: Path = TEMPLATES_DIR) -> None:
        self.currency = currency
        self.timezone = timezone
        self.env = Environment(
            loader=FileSystemLoader(folder),
            undefined=StrictUndefined,
            autoescape=False,  # noqa: S701 - plain-text messages, never HTML
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.env.filters.update(money=self._money, date=self._date, datetime=self._datetime)

    def render(self, template: str, channel: Channel, language: Language, context: dict[str, Any]) -> Rendered:
        compiled = self.env.get_template(f"{language}/{template}.j2")
        ctx = compiled.new_context({**context, "language": language})

        def block(name: str) -> str:
            return "".join(compiled.blocks[name](ctx)).strip()

        if channel == "sms":
            return Rendered(None, block("sms"))
        return Rendered(block("subject"), block("email"))

    @pass_context
    def _money(self, ctx: Context, value: Any) -> str:
        return format_money(value, ctx["language"], self.currency)

    @pass_context
    def _date(self, ctx: Context, value: Any) -> str:
        return format_date(value, ctx["language"])

    @pass_context
    def _datetime(self, ctx: Context, value: Any) -> str:
        return format_datetime(value, ctx["language"], self.timezone)
