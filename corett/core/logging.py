"""Log hygiene: nothing identifying reaches a log line in clear."""

from __future__ import annotations

import logging
import re

# E-mail addresses and long digit runs (phones, document numbers) are masked in every record.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_DIGITS = re.compile(r"\+?\d[\d \-]{6,}\d")


def redact(text: str) -> str:
    return _DIGITS.sub("[redacted-number]", _EMAIL.sub("[redacted-email]", text))


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is still logged, just not rewritten
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
