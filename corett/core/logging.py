"""Log hygiene: nothing identifying reaches a log line in clear.

E-mail addresses and phone-like numbers are masked in the message and in any traceback that
goes with it (an exception message may quote a value a user typed). Dates and times stay, since
they are what an operator needs and identify no one.
"""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven or more digits, possibly grouped by spaces, dots, dashes or parentheses, with an
# optional leading "+". ISO dates (2026-01-31) and times are left alone.
_PHONE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{5,}\d(?![\w-])")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7 or _ISO_DATE.match(text.strip()):
        return text
    return "[redacted-number]"


def redact(text: str) -> str:
    return _PHONE.sub(_mask_phone, _EMAIL.sub("[redacted-email]", text))


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is still logged, just not rewritten
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info:
            # Render the traceback now, scrubbed, and drop the live exception so no handler
            # formats the raw one again.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class TemplateContextFilter(logging.Filter):
    """Django's template engine logs (at DEBUG) each variable a template fails to resolve, with
    the VariableDoesNotExist exception attached, whose message is the repr of the whole context:
    every value the page shows, a victim's name and documents included. Keep the line (which
    variable, which template) and drop the exception, before any handler (or test) sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
