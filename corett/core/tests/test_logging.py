import logging
import sys

import pytest

from corett.core.logging import RedactFilter, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail ana.perez+trata@mp.gob.gt now", "mail [redacted-email] now"),
        ("call +502 2411-0000 please", "call [redacted-number] please"),
        ("call 50224110000", "call [redacted-number]"),
        ("passport 123456789", "passport [redacted-number]"),
        ("person 42 updated", "person 42 updated"),
        ("status 503 at 10:15", "status 503 at 10:15"),
    ],
)
def test_redact_masks_emails_and_long_numbers(text, expected):
    assert redact(text) == expected


def _record(msg, *args):
    return logging.LogRecord("corett", logging.INFO, __file__, 1, msg, args, None)


def test_the_filter_masks_values_passed_as_arguments():
    record = _record("login failed for %s from %s", "victima@example.org", "+504 9999 8888")
    assert RedactFilter().filter(record) is True
    assert record.getMessage() == "login failed for [redacted-email] from [redacted-number]"


def test_the_filter_leaves_clean_records_untouched():
    record = _record("person %s updated", 42)
    RedactFilter().filter(record)
    assert (record.msg, record.args) == ("person %s updated", (42,))


def test_a_malformed_record_is_still_logged():
    record = _record("%d items", "not a number")
    assert RedactFilter().filter(record) is True


def test_the_console_handler_redacts(settings, caplog):
    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]
    handler = logging.StreamHandler()
    handler.addFilter(RedactFilter())
    logger = logging.getLogger("corett.test.redaction")
    logger.addHandler(handler)
    try:
        with caplog.at_level(logging.INFO, logger="corett.test.redaction"):
            logger.info("sent to %s", "someone@example.org")
    finally:
        logger.removeHandler(handler)
    assert "someone@example.org" not in caplog.text


def test_dates_and_times_are_kept():
    assert redact("closed 2026-01-31 at 12:30:00") == "closed 2026-01-31 at 12:30:00"


def test_a_traceback_is_scrubbed_too():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, None)
    try:
        raise ValueError("bad value ana@example.org +502 5555 1234")
    except ValueError:
        record.exc_info = sys.exc_info()
    RedactFilter().filter(record)
    assert record.exc_info is None
    assert "ana@example.org" not in record.exc_text and "5555 1234" not in record.exc_text
    assert "ValueError" in record.exc_text
